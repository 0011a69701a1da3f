import type { Router } from "@koa/router";
import type { EmulatorDeps, EmulatorState } from "../http/emulator-state.js";
import { pageV1, readPage } from "../http/paginate.js";
import { userJson } from "../json/user-json.js";
import { validateAttributes } from "../model/validate-attributes.js";
import { newSid } from "../sid.js";
import { invalidParameter, TwilioError } from "../twilio-error.js";
import { respond, twin } from "./route-kit.js";

const ROLE_SID = /^RL[0-9a-fA-F]{32}$/;

/**
 * Users: create, list (at most 50 a page, as Twilio's Users list), fetch / update / delete by SID or identity.
 * An identity is unique within its service: a second one answers Twilio's 50201 "User already exists" (409).
 */
export function usersRoutes(router: Router<EmulatorState>, deps: EmulatorDeps): void {
  const { store } = deps;

  twin(router, deps, "get", "/Users", (ctx, scope) => {
    const users = [...store.users.values()].filter((u) => u.serviceSid === scope.service.sid);
    respond(ctx, 200, pageV1(users, readPage(ctx.state.query, 50), {
      url: `${scope.prefix}/Users`, key: "users", toJson: (u) => userJson(u, scope.prefix),
    }));
  });

  twin(router, deps, "post", "/Users", (ctx, scope) => {
    const form = ctx.state.form;
    const identity = form.get("Identity");
    if (!identity) throw invalidParameter("Missing required parameter Identity in the post body");
    const attributes = validateAttributes(form.get("Attributes")) ?? "{}";
    const roleSid = roleParam(form.get("RoleSid")) ?? scope.service.userRoleSid;
    if (store.userByIdentity(scope.service.sid, identity)) throw new TwilioError(409, 50201, "User already exists");
    const now = new Date();
    const user = {
      sid: newSid("US"),
      accountSid: scope.service.accountSid,
      serviceSid: scope.service.sid,
      identity,
      friendlyName: form.get("FriendlyName") ?? null,
      attributes,
      roleSid,
      dateCreated: now,
      dateUpdated: now,
    };
    store.addUser(user);
    respond(ctx, 201, userJson(user, scope.prefix));
  });

  twin(router, deps, "get", "/Users/:Sid", (ctx, scope) => {
    respond(ctx, 200, userJson(store.user(scope.service, ctx.params.Sid!, ctx.path), scope.prefix));
  });

  twin(router, deps, "post", "/Users/:Sid", (ctx, scope) => {
    const user = store.user(scope.service, ctx.params.Sid!, ctx.path);
    const form = ctx.state.form;
    const attributes = validateAttributes(form.get("Attributes"));
    const roleSid = roleParam(form.get("RoleSid"));
    if (attributes !== undefined) user.attributes = attributes;
    if (roleSid !== undefined) user.roleSid = roleSid;
    if (form.has("FriendlyName")) user.friendlyName = form.get("FriendlyName") || null;
    user.dateUpdated = new Date();
    respond(ctx, 200, userJson(user, scope.prefix));
  });

  twin(router, deps, "delete", "/Users/:Sid", (ctx, scope) => {
    const user = store.user(scope.service, ctx.params.Sid!, ctx.path);
    store.deleteUser(user);
    respond(ctx, 204);
  });
}

function roleParam(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!ROLE_SID.test(value)) throw invalidParameter(`Invalid RoleSid: ${value}`);
  return value;
}
