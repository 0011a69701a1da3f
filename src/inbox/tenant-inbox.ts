import AsyncLock from "async-lock";
import { tenantKey, type InboxCache } from "../cache/inbox-cache.js";
import type { EmailSender } from "../sendgrid/email-sender.js";
import type { TenantConfig } from "../tenants/tenant-config.js";
import type { ConversationsGateway } from "../twilio/conversations-gateway.js";
import { ConversationDirectory } from "./conversation-directory.js";

/** Everything a use case needs to act inside one tenant. Built once per tenant at boot. */
export interface TenantInbox {
  readonly tenant: TenantConfig;
  readonly gateway: ConversationsGateway;
  readonly directory: ConversationDirectory;
  readonly cache: InboxCache;
  /** SendGrid for this tenant's Email channel; absent when the tenant has no SendGrid key. */
  readonly emailSender?: EmailSender;
  /** Serialises read-modify-write of one conversation's attributes so no update is lost. */
  readonly conversationLock: AsyncLock;
  /** Cache key scoped to this tenant. */
  key(...parts: Array<string | number>): string;
}

export function createTenantInbox(
  tenant: TenantConfig,
  gateway: ConversationsGateway,
  cache: InboxCache,
  options: { indexLimit: number; concurrency: number },
  emailSender?: EmailSender,
): TenantInbox {
  return {
    tenant,
    gateway,
    cache,
    emailSender,
    directory: new ConversationDirectory(cache, gateway, tenant.id, options),
    conversationLock: new AsyncLock({ maxPending: 10_000 }),
    key: (...parts) => tenantKey(tenant.id, ...parts),
  };
}
