import Koa from "koa";
import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";

/**
 * The yardstick, never shipped: the straightforward adapter seed 000 §7 sketches. Every request calls Twilio
 * directly through the twilio SDK; the list fetches each conversation's participants and latest message itself
 * (1 + 2 × limit upstream calls). Same JWT check as the gateway: the gateway's own verifier is passed in.
 */
export interface NaiveAdapterOptions {
  accountSid: string;
  authToken: string;
  serviceSid: string;
  /** Where "Twilio" is (the emulator). */
  twilioBaseUrl: string;
  /** Throws unless the Bearer token is valid. */
  verifyToken: (token: string | undefined) => unknown;
}

const TWILIO_HOST = /^https:\/\/[a-z0-9.-]+\.twilio\.com/;

/** The SDK's own client, with Twilio's hosts pointed at the emulator (the only change to the SDK's defaults). */
class EmulatorRequestClient extends twilio.RequestClient {
  constructor(private readonly baseUrl: string) {
    super({ keepAlive: true });
  }

  override request<TData>(opts: RequestClient.RequestOptions<TData>) {
    return super.request({ ...opts, uri: opts.uri.replace(TWILIO_HOST, this.baseUrl) });
  }
}

export function createNaiveAdapter(options: NaiveAdapterOptions): Koa {
  const client = twilio(options.accountSid, options.authToken, {
    httpClient: new EmulatorRequestClient(options.twilioBaseUrl),
  });
  const service = client.conversations.v1.services(options.serviceSid);
  const koa = new Koa();

  koa.use(async (ctx, next) => {
    try {
      options.verifyToken(/^Bearer\s+(\S+)$/i.exec(ctx.get("authorization"))?.[1]);
    } catch {
      ctx.status = 401;
      ctx.body = { error: { code: "unauthenticated", message: "the token is invalid" } };
      return;
    }
    await next();
  });

  koa.use(async (ctx) => {
    const limit = Number(ctx.query.limit ?? 50);
    const messagesPath = /^\/api\/v1\/chat\/conversations\/(CH[0-9a-f]{32})\/messages$/.exec(ctx.path);
    if (ctx.path === "/api/v1/chat/conversations") {
      const conversations = await service.conversations.list({ limit });
      ctx.body = await Promise.all(
        conversations.map(async (conv) => {
          const [participants, messages] = await Promise.all([
            service.conversations(conv.sid).participants.list(),
            service.conversations(conv.sid).messages.list({ order: "desc", limit: 1 }),
          ]);
          return {
            sid: conv.sid,
            accountSid: conv.accountSid,
            chatServiceSid: conv.chatServiceSid,
            friendlyName: conv.friendlyName,
            uniqueName: conv.uniqueName,
            attributes: conv.attributes,
            state: conv.state,
            dateCreated: conv.dateCreated,
            dateUpdated: conv.dateUpdated,
            participants: participants.map((p) => ({
              sid: p.sid,
              identity: p.identity,
              messagingBinding: p.messagingBinding,
            })),
            latestMessage: messages[0] && {
              sid: messages[0].sid,
              index: messages[0].index,
              author: messages[0].author,
              body: messages[0].body,
            },
          };
        }),
      );
    } else if (messagesPath) {
      const order = ctx.query.order === "asc" ? "asc" : "desc";
      const messages = await service.conversations(messagesPath[1]!).messages.list({ order, limit });
      ctx.body = messages.map((m) => ({
        sid: m.sid,
        index: m.index,
        author: m.author,
        body: m.body,
        attributes: m.attributes,
        dateCreated: m.dateCreated,
      }));
    } else {
      ctx.status = 404;
    }
  });
  return koa;
}
