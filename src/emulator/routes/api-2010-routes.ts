import type { Router } from "@koa/router";
import type { EmulatorContext, EmulatorDeps, EmulatorState } from "../http/emulator-state.js";
import { page2010, readPage } from "../http/paginate.js";
import { apiMessageJson } from "../json/api-message-json.js";
import { newKeyJson } from "../json/key-json.js";
import type { ApiMessage } from "../model/types.js";
import { newSid } from "../sid.js";
import { TwilioError, notFound } from "../twilio-error.js";
import { checkStatusCallback, rememberStatusCallback } from "./api-2010-status-callback.js";
import { respond } from "./route-kit.js";

const BASE = "/2010-04-01/Accounts/:AccountSid";
const PHONE = /^(whatsapp:)?\+[1-9]\d{1,14}$/;

/** The AccountSid in the URL must be the authenticated account. */
function accountOf(ctx: EmulatorContext): string {
  if (ctx.params.AccountSid !== ctx.state.account.sid) throw notFound(ctx.path);
  return ctx.state.account.sid;
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Api 2010: Messages (create, list with To/From/DateSent filters, fetch, update, delete), Balance, Keys (create). */
export function api2010Routes(router: Router<EmulatorState>, deps: EmulatorDeps): void {
  const { store } = deps;
  const messageOf = (ctx: EmulatorContext): ApiMessage => {
    const accountSid = accountOf(ctx);
    const message = store.apiMessages.get(ctx.params.Sid!);
    if (!message || message.accountSid !== accountSid) throw notFound(ctx.path);
    return message;
  };

  router.post(`${BASE}/Messages.json`, (ctx) => {
    const accountSid = accountOf(ctx);
    const form = ctx.state.form;
    const to = form.get("To");
    const from = form.get("From");
    const messagingServiceSid = form.get("MessagingServiceSid");
    const body = form.get("Body");
    const mediaUrls = form.all("MediaUrl");
    if (!to) throw new TwilioError(400, 21604, "A 'To' phone number is required.");
    if (!PHONE.test(to)) throw new TwilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
    if (!from && !messagingServiceSid) {
      throw new TwilioError(400, 21603, "A 'From' phone number is required.");
    }
    if (!body && mediaUrls.length === 0 && !form.get("ContentSid")) {
      throw new TwilioError(400, 21602, "Message body is required.");
    }
    const statusCallback = form.get("StatusCallback");
    if (statusCallback !== undefined) checkStatusCallback(statusCallback);
    const now = new Date();
    const message: ApiMessage = {
      sid: newSid(mediaUrls.length > 0 ? "MM" : "SM"),
      accountSid,
      to,
      from: from ?? null,
      body: body ?? "",
      status: messagingServiceSid && !from ? "accepted" : "queued",
      direction: "outbound-api",
      messagingServiceSid: messagingServiceSid ?? null,
      numMedia: mediaUrls.length,
      errorCode: null,
      errorMessage: null,
      dateCreated: now,
      dateUpdated: now,
      dateSent: null,
    };
    store.apiMessages.set(message.sid, message);
    if (statusCallback) rememberStatusCallback(message, statusCallback);
    respond(ctx, 201, apiMessageJson(message));
  });

  router.get(`${BASE}/Messages.json`, (ctx) => {
    const accountSid = accountOf(ctx);
    const query = ctx.state.query;
    const filters: [string, string][] = [];
    for (const name of ["To", "From", "DateSent", "DateSent<", "DateSent>"]) {
      const value = query.get(name);
      if (value !== undefined) filters.push([name, value]);
    }
    const get = (name: string) => query.get(name);
    const messages = [...store.apiMessages.values()]
      .filter((m) => m.accountSid === accountSid)
      .filter((m) => !get("To") || m.to === get("To"))
      .filter((m) => !get("From") || m.from === get("From"))
      .filter((m) => {
        const sentDay = utcDay(m.dateSent ?? m.dateCreated);
        return (
          (!get("DateSent") || sentDay === get("DateSent")!.slice(0, 10)) &&
          (!get("DateSent<") || sentDay <= get("DateSent<")!.slice(0, 10)) &&
          (!get("DateSent>") || sentDay >= get("DateSent>")!.slice(0, 10))
        );
      })
      .reverse(); // newest first, as Twilio lists messages
    respond(ctx, 200, page2010(messages, readPage(query, 1000), {
      uri: `/2010-04-01/Accounts/${accountSid}/Messages.json`,
      key: "messages",
      filters,
      toJson: apiMessageJson,
    }));
  });

  // The Media subresource's content: its URI without `.json` (https://www.twilio.com/docs/api/rest/media);
  // what a Messaging webhook's MediaUrl0… point at. Served to the account's credentials only.
  router.get(`${BASE}/Messages/:MessageSid/Media/:Sid`, (ctx, next) => {
    if (ctx.params.Sid!.endsWith(".json")) return next();
    const accountSid = accountOf(ctx);
    const media = store.messagingMedia.get(ctx.params.Sid!);
    if (!media || media.accountSid !== accountSid || media.messageSid !== ctx.params.MessageSid) throw notFound(ctx.path);
    ctx.type = media.contentType;
    ctx.body = media.bytes;
  });

  router.get(`${BASE}/Messages/:Sid.json`, (ctx) => {
    respond(ctx, 200, apiMessageJson(messageOf(ctx)));
  });

  router.post(`${BASE}/Messages/:Sid.json`, (ctx) => {
    const message = messageOf(ctx);
    const body = ctx.state.form.get("Body");
    const status = ctx.state.form.get("Status");
    if (status !== undefined && status !== "canceled") {
      throw new TwilioError(400, 20001, `Invalid Status: ${status}`);
    }
    if (body !== undefined) message.body = body;
    if (status === "canceled") message.status = "canceled";
    message.dateUpdated = new Date();
    respond(ctx, 200, apiMessageJson(message));
  });

  router.delete(`${BASE}/Messages/:Sid.json`, (ctx) => {
    store.apiMessages.delete(messageOf(ctx).sid);
    respond(ctx, 204);
  });

  router.get(`${BASE}/Balance.json`, (ctx) => {
    accountOf(ctx);
    respond(ctx, 200, {
      account_sid: ctx.state.account.sid,
      balance: ctx.state.account.balance,
      currency: "USD",
    });
  });

  router.post(`${BASE}/Keys.json`, (ctx) => {
    // Keys made through the API are Standard keys, which may not manage keys; only Main keys (made in the
    // Console) may: https://www.twilio.com/docs/iam/api-keys/keys-in-console
    if (ctx.state.apiKeySid) throw new TwilioError(401, 20003, "Authenticate");
    const key = store.createApiKey(accountOf(ctx), ctx.state.form.get("FriendlyName"));
    respond(ctx, 201, newKeyJson(key));
  });
}
