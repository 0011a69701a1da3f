import { TwilioEmulator, type EmulatorOptions } from "../../src/emulator/index.js";

/** A started emulator with one account, plus a tiny fetch client speaking Twilio's wire format. */
export interface EmulatorFixture {
  emulator: TwilioEmulator;
  accountSid: string;
  authToken: string;
  serviceSid: string;
  call(
    method: string,
    path: string,
    params?: Record<string, string | string[]>,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorFixture> {
  const emulator = await TwilioEmulator.start({ rateLimits: false, ...options });
  const { accountSid, authToken, defaultServiceSid } = emulator.createAccount();
  const auth = "Basic " + Buffer.from(`${accountSid}:${authToken}`).toString("base64");
  return {
    emulator,
    accountSid,
    authToken,
    serviceSid: defaultServiceSid,
    async call(method, path, params = {}, headers = {}) {
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
    },
  };
}
