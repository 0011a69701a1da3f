import { pino, type Logger } from "pino";

/** Paths that could carry secrets; pino replaces them before anything is written. */
const REDACTED = [
  "req.headers.authorization",
  "headers.authorization",
  "authorization",
  "authToken",
  "*.authToken",
  "apiKey",
  "*.apiKey",
  "secret",
  "*.secret",
  "verificationKey",
  "*.verificationKey",
  "password",
  "*.password",
];

/** Structured JSON logs with secrets redacted. */
export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: REDACTED, censor: "[redacted]" }, base: { service: "switchboard" } });
}
