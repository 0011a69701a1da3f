import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Router } from "@koa/router";
import busboy from "busboy";
import type { EmulatorDeps, EmulatorState } from "../http/emulator-state.js";
import { directLinkSignature, mcsMediaJson } from "../json/mcs-media-json.js";
import { createMedia, findMedia, MCS_MAX_UPLOAD_BYTES } from "../model/media-ops.js";
import { TwilioError, invalidParameter } from "../twilio-error.js";

/** Per-emulator key that signs the direct links. */
export const directLinkSecret = randomBytes(32);

const tooLarge = () => new TwilioError(413, 20001, `Media is larger than the emulator accepts (${MCS_MAX_UPLOAD_BYTES} bytes)`);

/** The raw request body, refused past the bound while it arrives (never buffered beyond it). */
async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MCS_MAX_UPLOAD_BYTES) throw tooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The first file part of a multipart/form-data upload (as Twilio's MCS clients send one: a `Media` part with its filename). */
function readFilePart(req: IncomingMessage): Promise<{ contentType: string; filename: string | null; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    const parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: MCS_MAX_UPLOAD_BYTES } });
    let found: Promise<{ contentType: string; filename: string | null; bytes: Buffer }> | undefined;
    parser.on("file", (_name, stream, info) => {
      found = new Promise((done, fail) => {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("limit", () => fail(tooLarge()));
        stream.on("end", () => done({ contentType: info.mimeType, filename: info.filename ?? null, bytes: Buffer.concat(chunks) }));
      });
    });
    parser.on("error", () => reject(invalidParameter("Malformed multipart body")));
    parser.on("close", () => (found ? found.then(resolve, reject) : reject(invalidParameter("Media is required"))));
    req.pipe(parser);
  });
}

/**
 * The Media Content Service (base https://mcs.us1.twilio.com/v1 on Twilio; "Using Media Messaging via the
 * Conversations REST API" in https://www.twilio.com/docs/conversations/media-support-conversations): upload a file
 * to a Conversations Service (`POST /v1/Services/{ChatServiceSid}/Media`, the file as the raw body with its
 * Content-Type, or one multipart file part), fetch the resource (with its short-lived `content_direct_temporary`
 * link), download the content. MCS is not in Twilio's OpenAPI files.
 */
export function mcsRoutes(router: Router<EmulatorState>, deps: EmulatorDeps): void {
  const serviceOf = (ctx: { state: EmulatorState; params: Record<string, string>; path: string }) =>
    deps.store.service(ctx.state.account.sid, ctx.params.ChatServiceSid!, ctx.path);

  router.post("/v1/Services/:ChatServiceSid/Media", async (ctx) => {
    const service = serviceOf(ctx);
    const type = ctx.get("content-type");
    if (!type) throw invalidParameter("Content-Type is required");
    const declared = Number(ctx.get("content-length") || 0);
    if (declared > MCS_MAX_UPLOAD_BYTES) throw tooLarge();
    const upload = ctx.is("multipart/form-data")
      ? await readFilePart(ctx.req)
      : { contentType: type.split(";")[0]!.trim(), filename: null, bytes: await readBody(ctx.req) };
    const media = createMedia(deps.store, service, upload);
    ctx.status = 201;
    ctx.body = mcsMediaJson(media);
  });

  router.get("/v1/Services/:ChatServiceSid/Media/:Sid", (ctx) => {
    const media = findMedia(deps.store, serviceOf(ctx), ctx.params.Sid!);
    ctx.body = mcsMediaJson(media, { secret: directLinkSecret, now: Date.now() });
  });

  router.get("/v1/Services/:ChatServiceSid/Media/:Sid/Content", (ctx) => {
    const media = findMedia(deps.store, serviceOf(ctx), ctx.params.Sid!);
    ctx.type = media.contentType;
    ctx.body = media.bytes;
  });
}

/** `links.content_direct_temporary`: no credentials, a signature and an expiry instead (403 once either is wrong). */
export function mediaDirectRoutes(router: Router<EmulatorState>, deps: EmulatorDeps): void {
  router.get("/:Sid", (ctx, next) => {
    const sid = ctx.params.Sid!;
    if (!/^ME[0-9a-f]{32}$/.test(sid)) return next();
    const expires = Number(ctx.query.Expires);
    const signature = String(ctx.query.Signature ?? "");
    const media = deps.store.media.get(sid);
    if (!media || !Number.isInteger(expires) || expires * 1000 < Date.now() || signature !== directLinkSignature(directLinkSecret, sid, expires)) {
      ctx.status = 403;
      ctx.body = "Forbidden";
      return;
    }
    ctx.type = media.contentType;
    ctx.length = media.bytes.length;
    ctx.body = media.bytes;
  });
}
