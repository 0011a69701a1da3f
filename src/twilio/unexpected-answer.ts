import type { TransportResponse } from "./twilio-http-transport.js";

/** How much of an unexpected body an error keeps. */
const EXCERPT_CHARS = 200;
// C0/C1 controls (terminal escapes), zero-width and bidi marks, line and paragraph separators, BOM.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]+/g;

/**
 * An answer at Twilio's address that is not Twilio's (an HTML error page, a proxy's or captive portal's body): its
 * HTTP status and a short excerpt, for operators. The message names the answering origin, never a credential.
 */
export class UnexpectedAnswer extends Error {
  constructor(
    readonly status: number,
    origin: string,
    readonly excerpt: string,
  ) {
    super(`HTTP ${status} from ${origin}: ${excerpt ? JSON.stringify(excerpt) : "(empty body)"}`);
    this.name = "UnexpectedAnswer";
  }
}

/**
 * The answer, when it is not one the twilio SDK can read: a failure without Twilio's error body (`code` and
 * `message`, or RFC 9457's `type`/`title`/`status`/`code`), or a success with a body that is not JSON.
 * `secrets` (the credentials the request carried, asked for only then) are cut out of the excerpt.
 */
export function unexpectedAnswer(response: TransportResponse, uri: string, secrets: () => readonly string[]): UnexpectedAnswer | undefined {
  const { statusCode, body } = response;
  const success = statusCode >= 200 && statusCode < 300;
  if (success ? body === "" || /json/i.test(header(response, "content-type")) : isTwilioErrorBody(body)) return undefined;
  return new UnexpectedAnswer(statusCode, new URL(uri).origin, excerptOf(body, secrets()));
}

/** Whether a failure's body is Twilio's error JSON. */
export function isTwilioErrorBody(body: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return false;
  const { code, message, type, title, status } = parsed as Record<string, unknown>;
  if (typeof code !== "number") return false;
  return typeof message === "string" || (typeof type === "string" && typeof title === "string" && typeof status === "number");
}

/** The first characters of a body as one line: secrets replaced, control and invisible characters removed. */
export function excerptOf(body: string, secrets: readonly string[]): string {
  let text = body;
  for (const secret of secrets) if (secret.length >= 4) text = text.split(secret).join("[redacted]");
  text = text.replace(CONTROLS, " ").replace(/\s+/g, " ").trim();
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text;
}

function header(response: TransportResponse, name: string): string {
  const value = response.headers[name];
  return Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
}
