import { createRequire } from "node:module";
import { MailService } from "@sendgrid/mail";
import { EventWebhook } from "@sendgrid/eventwebhook";

type SendgridClient = import("@sendgrid/client/src/client.js").Client;
// @sendgrid/client's entry exports a process-wide singleton; each tenant needs its own key and base URL, so take
// the class it is an instance of (the package has no `exports` map; this is its own file).
const ClientClass = createRequire(import.meta.url)("@sendgrid/client/src/classes/client.js") as new () => SendgridClient;

export interface OutboundEmail {
  to: string;
  from: { email: string; name?: string };
  subject: string;
  text?: string;
  html?: string;
  cc?: string[];
  bcc?: string[];
  /** Returned by SendGrid on every event of this mail (tenant, conversation and message SIDs). */
  customArgs: Record<string, string>;
  /** Files, base64 (SendGrid's `attachments`). */
  attachments?: Array<{ filename: string; type: string; content: string }>;
}

/** A send SendGrid refused: a status of the message, not an error of the request. */
export interface EmailSendResult {
  accepted: boolean;
  /** SendGrid's X-Message-Id when accepted. */
  providerMessageId?: string;
  /** SendGrid's reason when refused. */
  reason?: string;
}

export interface EmailSender {
  send(email: OutboundEmail): Promise<EmailSendResult>;
}

/** The only user of @sendgrid/mail: one MailService per tenant, pointed at `baseUrl` when set (the emulator). */
export function createEmailSender(options: { apiKey: string; baseUrl?: string; timeoutMs: number }): EmailSender {
  const client = new ClientClass();
  client.setApiKey(options.apiKey);
  if (options.baseUrl) client.setDefaultRequest("baseUrl", options.baseUrl);
  client.setDefaultRequest("timeout" as never, options.timeoutMs as never);
  const mail = new MailService();
  mail.setClient(client);
  return {
    async send(email) {
      try {
        const [response] = await mail.send({
          to: email.to,
          cc: email.cc,
          bcc: email.bcc,
          from: email.from,
          subject: email.subject,
          ...(email.text !== undefined ? { text: email.text } : {}),
          ...(email.html !== undefined ? { html: email.html } : {}),
          customArgs: email.customArgs,
          ...(email.attachments?.length
            ? { attachments: email.attachments.map((file) => ({ ...file, disposition: "attachment" })) }
            : {}),
        } as never);
        const header = response.headers["x-message-id"];
        return { accepted: true, providerMessageId: typeof header === "string" ? header : undefined };
      } catch (error) {
        return { accepted: false, reason: describeFailure(error) };
      }
    },
  };
}

function describeFailure(error: unknown): string {
  const response = (error as { code?: number; response?: { body?: { errors?: Array<{ message?: string }> } } }) ?? {};
  const messages = response.response?.body?.errors?.map((e) => e.message).filter(Boolean) ?? [];
  const status = typeof response.code === "number" ? `SendGrid ${response.code}` : "SendGrid unreachable";
  return messages.length > 0 ? `${status}: ${messages.join("; ")}` : status;
}

/** Checks SendGrid's signed Event Webhook: ECDSA P-256 over timestamp + raw body with the account's public key. */
export function isValidEventSignature(publicKey: string, rawBody: string, signature: string, timestamp: string): boolean {
  try {
    const webhook = new EventWebhook();
    return webhook.verifySignature(webhook.convertPublicKeyToECDSA(publicKey), rawBody, signature, timestamp);
  } catch {
    return false;
  }
}
