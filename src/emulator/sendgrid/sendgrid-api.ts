import type { IncomingMessage } from "node:http";
import type { Context, Next } from "koa";
import { SendGridError } from "./sendgrid-error.js";
import type { SendGridEmulator } from "./sendgrid-emulator.js";

const PREFIX = "/v3/";
// "The total size of your email, including attachments, must be less than 30MB" (Mail Send API).
const MAX_BODY_BYTES = 30 * 1024 * 1024;

/**
 * Serves SendGrid's `/v3/*` on the emulator's server, ahead of the Twilio middleware: reads its
 * own raw JSON body and answers SendGrid's error shape. Other paths pass through.
 */
export function sendGridApi(sendgrid: SendGridEmulator) {
  return async (ctx: Context, next: Next) => {
    if (!ctx.path.startsWith(PREFIX)) return next();
    try {
      if (ctx.method !== "POST" || ctx.path !== "/v3/mail/send") {
        throw new SendGridError(404, [{ message: "not found", field: null, help: null }]);
      }
      const raw = await readBody(ctx.req);
      const messageId = sendgrid.send(ctx.get("authorization") || undefined, raw);
      ctx.status = 202;
      ctx.set("X-Message-Id", messageId);
      ctx.body = ""; // 202 with an empty body, as SendGrid answers
    } catch (error) {
      const failure =
        error instanceof SendGridError
          ? error
          : new SendGridError(500, [{ message: "internal server error", field: null, help: null }]);
      if (!(error instanceof SendGridError)) console.error("[sendgrid-emulator]", error);
      ctx.status = failure.status;
      ctx.set(failure.headers);
      ctx.body = { errors: failure.errors };
    }
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new SendGridError(413, [{ message: "The request body is too large.", field: null, help: null }]);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
