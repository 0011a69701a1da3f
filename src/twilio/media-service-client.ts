import { Readable } from "node:stream";
import { Agent, request } from "undici";
import type { TenantConfig } from "../tenants/tenant-config.js";
import { translateTwilioError } from "./twilio-error.js";
import type { UpstreamCallEvent } from "./upstream-request-client.js";

/** MCS's base URL (https://www.twilio.com/docs/conversations/api/media-resource); not covered by the twilio SDK. */
const MCS_BASE = "https://mcs.us1.twilio.com";
const TWILIO_HOST = /^https:\/\/[a-z0-9.-]+\.twilio\.com/;
const UPLOAD_TIMEOUT_MS = 120_000;

/** A Media resource as MCS describes it (the fields the gateway reads). */
export interface McsMedia {
  sid: string;
  serviceSid: string;
  contentType: string;
  filename: string | null;
  size: number;
  messageSid: string | null;
  /** Short-lived, signed, credential-free link to the bytes (`links.content_direct_temporary`). Never shown to clients. */
  directUrl: string | null;
}

/** An open download: headers known, bytes still flowing from Twilio. */
export interface MediaStream {
  contentType: string;
  size: number | undefined;
  body: Readable;
}

/**
 * One tenant's Media Content Service: upload a file (streamed, never buffered), read a Media resource, open its
 * bytes. Uses the tenant's credentials (API key when it has one) against MCS, or TWILIO_API_BASE_URL when set.
 */
export class MediaServiceClient {
  private readonly agent = new Agent({ connections: 16, keepAliveTimeout: 15_000 });
  private readonly authorization: string;

  constructor(
    private readonly tenant: TenantConfig,
    private readonly options: { baseUrl?: string; timeoutMs: number; onCall?: (event: UpstreamCallEvent) => void },
  ) {
    const [username, password] = tenant.apiKey ? [tenant.apiKey.sid, tenant.apiKey.secret] : [tenant.accountSid, tenant.authToken];
    this.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  }

  /** `POST /v1/Services/{ChatServiceSid}/Media` with the file as one multipart part named `Media` (keeps its filename). */
  async upload(file: { contentType: string; filename: string; body: Readable; size?: number }): Promise<McsMedia> {
    const boundary = `switchboard-${Math.random().toString(16).slice(2)}${Date.now().toString(16)}`;
    const safeName = file.filename.replace(/["\r\n\\]/g, "_");
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="Media"; filename="${safeName}"\r\nContent-Type: ${file.contentType}\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    async function* parts() {
      yield head;
      for await (const chunk of file.body) yield chunk as Buffer;
      yield tail;
    }
    // The length is sent when known (a spooled upload): not every server takes a chunked body.
    const length: Record<string, string> = file.size === undefined ? {} : { "content-length": String(head.length + file.size + tail.length) };
    const json = await this.json("POST", `/v1/Services/${this.tenant.conversationsServiceSid}/Media`, {
      body: Readable.from(parts()),
      headers: { "content-type": `multipart/form-data; boundary=${boundary}`, ...length },
      // Sending 16 MB takes longer than a Twilio call may: the answer is awaited for at least two minutes.
      timeoutMs: Math.max(this.options.timeoutMs, UPLOAD_TIMEOUT_MS),
    });
    return toMcsMedia(json);
  }

  /** The Media resource of this tenant's service; another service's is Twilio's 404. */
  async fetch(mediaSid: string): Promise<McsMedia> {
    return toMcsMedia(await this.json("GET", `/v1/Services/${this.tenant.conversationsServiceSid}/Media/${mediaSid}`));
  }

  /** Opens the bytes behind a direct link: the caller pipes `body` on (backpressure holds Twilio back). */
  async open(directUrl: string): Promise<MediaStream> {
    const url = this.rewrite(directUrl);
    const started = performance.now();
    try {
      const response = await request(url, { method: "GET", dispatcher: this.agent, headersTimeout: this.options.timeoutMs, bodyTimeout: this.options.timeoutMs });
      this.report("GET", url, started, response.statusCode);
      if (response.statusCode !== 200) {
        await response.body.dump();
        throw translateTwilioError({ status: response.statusCode === 403 ? 404 : response.statusCode, message: "media content unavailable" });
      }
      const length = Number(response.headers["content-length"]);
      const type = response.headers["content-type"];
      return {
        contentType: typeof type === "string" ? type : "application/octet-stream",
        size: Number.isFinite(length) ? length : undefined,
        body: response.body,
      };
    } catch (error) {
      if (!(error instanceof Error && error.name === "AppError")) this.report("GET", url, started, undefined, error);
      throw translateTwilioError(error);
    }
  }

  /**
   * Opens a file of one of the tenant's messaging messages: a Messaging webhook's `MediaUrl` (Api 2010 Media, its
   * URI without `.json`). Only that shape, on api.twilio.com and the tenant's own account, is fetched (the URL comes
   * in a request body); a redirect to Twilio's short-lived storage link is followed once, without credentials.
   */
  async openMessagingMedia(mediaUrl: string): Promise<MediaStream> {
    const shape = new RegExp(`^https://api\\.twilio\\.com/2010-04-01/Accounts/${this.tenant.accountSid}/Messages/(SM|MM)[0-9a-fA-F]{32}/Media/ME[0-9a-fA-F]{32}$`);
    if (!shape.test(mediaUrl)) throw translateTwilioError({ status: 404, message: "not a media URL of this account" });
    const url = this.rewrite(mediaUrl);
    const started = performance.now();
    let response;
    try {
      response = await request(url, { method: "GET", dispatcher: this.agent, headers: { authorization: this.authorization }, headersTimeout: this.options.timeoutMs, bodyTimeout: this.options.timeoutMs });
    } catch (error) {
      this.report("GET", url, started, undefined, error);
      throw translateTwilioError(error);
    }
    this.report("GET", url, started, response.statusCode);
    const location = response.headers.location;
    if (response.statusCode >= 300 && response.statusCode < 400 && typeof location === "string" && location.startsWith("https://")) {
      await response.body.dump();
      return this.open(location);
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw translateTwilioError({ status: response.statusCode, message: "media content unavailable" });
    }
    const length = Number(response.headers["content-length"]);
    const type = response.headers["content-type"];
    return { contentType: typeof type === "string" ? type : "application/octet-stream", size: Number.isFinite(length) ? length : undefined, body: response.body };
  }

  close(): Promise<void> {
    return this.agent.close();
  }

  private rewrite(url: string): string {
    return this.options.baseUrl ? url.replace(TWILIO_HOST, this.options.baseUrl) : url;
  }

  private async json(method: "GET" | "POST", path: string, extra: { body?: Readable; headers?: Record<string, string>; timeoutMs?: number } = {}) {
    const url = this.rewrite(`${MCS_BASE}${path}`);
    const started = performance.now();
    let response;
    try {
      response = await request(url, {
        method,
        dispatcher: this.agent,
        headers: { authorization: this.authorization, accept: "application/json", ...extra.headers },
        body: extra.body,
        headersTimeout: extra.timeoutMs ?? this.options.timeoutMs,
        bodyTimeout: extra.timeoutMs ?? this.options.timeoutMs,
      });
    } catch (error) {
      this.report(method, url, started, undefined, error);
      throw translateTwilioError(error);
    }
    this.report(method, url, started, response.statusCode);
    const text = await response.body.text();
    const parsed = safeJson(text) as Record<string, unknown> | undefined;
    if (response.statusCode >= 400) {
      // Twilio's error body: { code, message, more_info, status }.
      throw translateTwilioError({
        status: response.statusCode,
        code: typeof parsed?.code === "number" ? parsed.code : undefined,
        message: typeof parsed?.message === "string" ? parsed.message : `MCS answered ${response.statusCode}`,
        moreInfo: typeof parsed?.more_info === "string" ? parsed.more_info : undefined,
      });
    }
    return parsed ?? {};
  }

  private report(method: string, url: string, started: number, status?: number, error?: unknown) {
    this.options.onCall?.({
      method,
      url,
      status,
      attempt: 1,
      durationMs: performance.now() - started,
      error: error === undefined ? undefined : ((error as { code?: string }).code ?? "network_error"),
    });
  }
}

function toMcsMedia(json: Record<string, unknown>): McsMedia {
  const links = (json.links ?? {}) as Record<string, unknown>;
  return {
    sid: String(json.sid),
    serviceSid: String(json.service_sid),
    contentType: typeof json.content_type === "string" ? json.content_type : "application/octet-stream",
    filename: typeof json.filename === "string" ? json.filename : null,
    size: Number(json.size ?? 0),
    messageSid: typeof json.message_sid === "string" ? json.message_sid : null,
    directUrl: typeof links.content_direct_temporary === "string" ? links.content_direct_temporary : null,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
