import type { Router } from "@koa/router";
import type { EmulatorContext, EmulatorDeps, EmulatorState } from "../http/emulator-state.js";
import { pageV1, readPage } from "../http/paginate.js";
import { approvalFetchJson, approvalJson, contentAndApprovalsJson, contentJson, CONTENT_HOST } from "../json/content-json.js";
import { createContent, findContent, requestApproval } from "../model/content-ops.js";
import { invalidParameter } from "../twilio-error.js";
import { respond } from "./route-kit.js";

const jsonBody = (ctx: EmulatorContext): Record<string, unknown> => {
  if (!ctx.is("application/json")) throw invalidParameter("The request body must be application/json");
  const body = (ctx.request as { body?: unknown }).body;
  if (!body || typeof body !== "object" || Array.isArray(body)) throw invalidParameter("The request body must be a JSON object");
  return body as Record<string, unknown>;
};

/**
 * The Content API (https://www.twilio.com/docs/content/content-api-resources, twilio_content_v1.json): templates are
 * account-wide; JSON bodies; WhatsApp approval requested per template and moved by the control endpoint.
 */
export function contentRoutes(router: Router<EmulatorState>, deps: EmulatorDeps): void {
  const { store } = deps;
  const ofAccount = (ctx: EmulatorContext) => [...store.contents.values()].filter((c) => c.accountSid === ctx.state.account.sid);

  router.post("/v1/Content", (ctx) => respond(ctx, 201, contentJson(createContent(store, ctx.state.account.sid, jsonBody(ctx)))));

  router.get("/v1/Content", (ctx) => {
    respond(ctx, 200, pageV1(ofAccount(ctx), readPage(ctx.state.query, 500), { url: `${CONTENT_HOST}/v1/Content`, key: "contents", toJson: contentJson }));
  });

  router.get("/v1/ContentAndApprovals", (ctx) => {
    respond(
      ctx,
      200,
      pageV1(ofAccount(ctx), readPage(ctx.state.query, 500), { url: `${CONTENT_HOST}/v1/ContentAndApprovals`, key: "contents", toJson: contentAndApprovalsJson }),
    );
  });

  router.get("/v1/Content/:Sid", (ctx) => respond(ctx, 200, contentJson(findContent(store, ctx.state.account.sid, ctx.params.Sid!))));

  router.delete("/v1/Content/:Sid", (ctx) => {
    const content = findContent(store, ctx.state.account.sid, ctx.params.Sid!);
    store.contents.delete(content.sid);
    respond(ctx, 204);
  });

  router.get("/v1/Content/:Sid/ApprovalRequests", (ctx) =>
    respond(ctx, 200, approvalFetchJson(findContent(store, ctx.state.account.sid, ctx.params.Sid!))),
  );

  router.post("/v1/Content/:ContentSid/ApprovalRequests/whatsapp", (ctx) => {
    const content = findContent(store, ctx.state.account.sid, ctx.params.ContentSid!);
    respond(ctx, 201, approvalJson(requestApproval(content, jsonBody(ctx))));
  });
}
