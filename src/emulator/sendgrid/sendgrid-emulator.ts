import { EventWebhookSigner } from "./event-webhook-signer.js";
import {
  SendGridError,
  sendGridFault,
  unauthorized,
  type SendGridErrorItem,
  type SendGridFaultStatus,
} from "./sendgrid-error.js";
import { buildEvents, type SendGridEvent, type SendGridEventInput } from "./sendgrid-events.js";
import { isApiKey, newApiKey, newMessageId } from "./sendgrid-ids.js";
import { sentMail, type SentMail } from "./sent-mail.js";
import { validateMail, type MailPayload } from "./validate-mail.js";

/** One Mail Send request, accepted or not. */
export interface MailSendAttempt {
  status: number;
  /** The bearer token presented, if any. */
  apiKey: string | null;
  messageId: string | null;
  timestamp: Date;
}

/** One POST of signed events to the Event Webhook URL. */
export interface EventWebhookDelivery {
  url: string;
  events: SendGridEvent[];
  /** The body as sent (differs from the signed one when tampered). */
  body: string;
  headers: Record<string, string>;
  status: number;
}

export interface PostEventsOptions {
  /** Unix seconds for the timestamp header and the events (default: now). */
  timestamp?: number;
  /** Send a body that differs from the signed one, so verification must fail. */
  tamper?: boolean;
}

export const SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature";
export const TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp";

/** SendGrid v3 Mail Send and the Signed Event Webhook, served by the emulator's HTTP server. */
export class SendGridEmulator {
  /** Mails answered 202, in order. */
  readonly sentMails: SentMail[] = [];
  /** Every Mail Send request with its answer status. */
  readonly requests: MailSendAttempt[] = [];
  /** Every event batch posted to the Event Webhook. */
  readonly eventDeliveries: EventWebhookDelivery[] = [];
  private readonly apiKeys = new Set<string>();
  private readonly faults: SendGridError[] = [];
  private readonly signer = new EventWebhookSigner();
  private webhookUrl: string | null = null;

  constructor(private readonly options: { timeoutMs: number }) {}

  /** The Event Webhook verification key: base64 SPKI DER of the P-256 public key. */
  get webhookPublicKey(): string {
    return this.signer.publicKey;
  }

  /** The Event Webhook URL set by `configureEventWebhook`, or null. */
  get eventWebhookUrl(): string | null {
    return this.webhookUrl;
  }

  /** Issues an API key ("SG.<id>.<secret>") accepted by Mail Send; `key` registers a given one. */
  createApiKey(key?: string): string {
    if (key !== undefined && !isApiKey(key)) throw new Error(`Not a SendGrid API key: ${key}`);
    const apiKey = key ?? newApiKey();
    this.apiKeys.add(apiKey);
    return apiKey;
  }

  /** The next `count` Mail Send requests answer `status` (with SendGrid's body for it, or `errors`). */
  failNext(count: number, status: SendGridFaultStatus, errors?: SendGridErrorItem[]): void {
    for (let i = 0; i < count; i += 1) this.faults.push(sendGridFault(status, errors));
  }

  /** Where `postEvents` sends events (an http(s) URL, query string kept). */
  configureEventWebhook(config: { url: string }): void {
    if (!URL.canParse(config.url) || !/^https?:$/.test(new URL(config.url).protocol)) {
      throw new Error(`Invalid Event Webhook URL: ${config.url}`);
    }
    this.webhookUrl = config.url;
  }

  /** Handles a Mail Send request: scripted fault, then auth, then validation; returns the X-Message-Id. */
  send(authorization: string | undefined, rawBody: string): string {
    const apiKey = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1] ?? null;
    const timestamp = new Date();
    try {
      const fault = this.faults.shift();
      if (fault) throw fault;
      if (!apiKey || !this.apiKeys.has(apiKey)) throw unauthorized();
      const payload = parseJson(rawBody);
      const errors = validateMail(payload);
      if (errors.length > 0) throw new SendGridError(400, errors);
      const messageId = newMessageId();
      this.sentMails.push(sentMail(payload as MailPayload, messageId, apiKey, timestamp));
      this.requests.push({ status: 202, apiKey, messageId, timestamp });
      return messageId;
    } catch (error) {
      const status = error instanceof SendGridError ? error.status : 500;
      this.requests.push({ status, apiKey, messageId: null, timestamp });
      throw error;
    }
  }

  /** Builds events for sent mails, signs them and POSTs them to the Event Webhook URL. */
  async postEvents(
    inputs: SendGridEventInput[],
    options: PostEventsOptions = {},
  ): Promise<{ status: number; body: string }> {
    const url = this.webhookUrl;
    if (!url) throw new Error("No Event Webhook URL: call configureEventWebhook first");
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const events = inputs.flatMap((input) => buildEvents(this.mail(input.messageId), input, timestamp));
    const signed = JSON.stringify(events);
    const headers: Record<string, string> = {
      "Content-Type": "application/json",
      "User-Agent": "SendGrid Event API",
      [SIGNATURE_HEADER]: this.signer.sign(String(timestamp), signed),
      [TIMESTAMP_HEADER]: String(timestamp),
    };
    const body = options.tamper ? tamperWith(events) : signed;
    const response = await fetch(url, {
      method: "POST",
      headers,
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    const answer = { status: response.status, body: await response.text() };
    this.eventDeliveries.push({ url, events, body, headers, status: answer.status });
    return answer;
  }

  private mail(messageId: string): SentMail {
    const mail = this.sentMails.find((m) => m.messageId === messageId);
    if (!mail) throw new Error(`No sent mail with X-Message-Id ${messageId}`);
    return mail;
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new SendGridError(400, [{ message: "Bad Request", field: null, help: null }]);
  }
}

/** The same batch with the first recipient changed: what an attacker replaying a signature sends. */
function tamperWith(events: SendGridEvent[]): string {
  const [first, ...rest] = events;
  return JSON.stringify([{ ...first, email: `tampered.${String(first?.email ?? "")}` }, ...rest]);
}
