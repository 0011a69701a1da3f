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

/**
 * Who was shown which conversations' messages, when: one structured line per answer that carries message content
 * (the operations openapi.yaml marks with `x-audit`), and one per live feed a socket opens (Socket.IO pushes
 * messages and previews from then on, so the opening is what is recorded, not each push). Never the content itself.
 */
export type AuditRecord = MessagesRead | LiveFeedOpened;

export interface MessagesRead {
  action: "conversation.messages.read";
  /** The token's subject. */
  userId: string;
  tenantId: string;
  /** The API the answer came from (the operation's tag: chat, sms, org-inbox, php-compat). */
  surface: string;
  /** The contract's operationId, e.g. listMessages. */
  operation: string;
  /** The conversations whose messages (or message previews) the answer holds. */
  conversationSids: string[];
  /** How many messages (or previews) the answer holds. */
  count: number;
}

export interface LiveFeedOpened {
  /**
   * `tenant`: a socket joined its tenant's room (every namespace: list updates with the latest message's preview,
   * and on the organization namespace every new message). `conversation`: a /chat socket subscribed to one
   * conversation's messages.
   */
  action: "conversation.live.tenant" | "conversation.live.conversation";
  userId: string;
  tenantId: string;
  /** The Socket.IO namespace. */
  surface: string;
  /** How the feed was opened: `connect`, `recover` (a session restored after a drop) or `subscribe:conversation`. */
  operation: "connect" | "recover" | "subscribe:conversation" | "join-conversation";
  /** The conversation subscribed to; empty for the tenant-wide feed. */
  conversationSids: string[];
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
