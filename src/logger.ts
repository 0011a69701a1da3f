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

/** Who read what, when: one structured line per read of a conversation's messages (seed 003 security). */
export interface AuditRecord {
  action: "conversation.messages.read";
  userId: string;
  tenantId: string;
  conversationSid: string;
  surface: string;
  count: number;
}

export type AuditLog = (record: AuditRecord) => void;

/**
 * The audit trail, separate from request logs: its own logger (`log: "audit"`), always at info, written to
 * AUDIT_LOG_FILE when set, else to standard output.
 */
export function createAuditLog(destination?: string): AuditLog {
  const logger = pino(
    { level: "info", base: { log: "audit" }, timestamp: pino.stdTimeFunctions.isoTime },
    destination ? pino.destination({ dest: destination, mkdir: true, sync: false }) : undefined,
  );
  return (record) => logger.info(record, "audit");
}
