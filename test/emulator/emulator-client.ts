import { TwilioEmulator, type EmulatorOptions } from "../../src/emulator/index.js";

type Call = (
  method: string,
  path: string,
  params?: Record<string, string | string[]>,
  headers?: Record<string, string>,
) => Promise<{ status: number; body: any; headers: Headers }>;

/** A started emulator with one account, plus a tiny fetch client speaking Twilio's wire format. */
export interface EmulatorFixture {
  emulator: TwilioEmulator;
  accountSid: string;
  authToken: string;
  serviceSid: string;
  /** Calls with the account's AccountSid + AuthToken. */
  call: Call;
  /** Calls with other Basic-auth credentials (an API key's SID + secret, another account's). */
  callAs(username: string, password: string): Call;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorFixture> {
  const emulator = await TwilioEmulator.start({ rateLimits: false, ...options });
  const { accountSid, authToken, defaultServiceSid } = emulator.createAccount();
  const callAs = (username: string, password: string): Call => {
    const auth = "Basic " + Buffer.from(`${username}:${password}`).toString("base64");
    return async (method, path, params = {}, headers = {}) => {
      const search = new URLSearchParams();
      for (const [key, value] of Object.entries(params)) {
        for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
      }
      const isGet = method === "GET" || method === "DELETE";
      const url = `${emulator.baseUrl}${path}${isGet && search.size ? `?${search}` : ""}`;
      const response = await fetch(url, {
        method,
        headers: {
          authorization: auth,
          ...(isGet ? {} : { "content-type": "application/x-www-form-urlencoded" }),
          ...headers,
        },
        ...(isGet ? {} : { body: search.toString() }),
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : null, headers: response.headers };
    };
  };
  return {
    emulator,
    accountSid,
    authToken,
    serviceSid: defaultServiceSid,
    call: callAs(accountSid, authToken),
    callAs,
  };
}
