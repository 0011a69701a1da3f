import { tenantKey, type InboxCache } from "../cache/inbox-cache.js";
import type { EmailSender } from "../sendgrid/email-sender.js";
import type { TenantConfig } from "../tenants/tenant-config.js";
import type { ConversationsGateway } from "../twilio/conversations-gateway.js";
import type { MediaServiceClient } from "../twilio/media-service-client.js";
import { ConversationDirectory } from "./conversation-directory.js";
import { inMemoryKeyedLock, type KeyedLock } from "./keyed-lock.js";
import type { RecentActivity } from "./recent-activity.js";

/** Everything a use case needs to act inside one tenant. Built once per tenant at boot. */
export interface TenantInbox {
  readonly tenant: TenantConfig;
  readonly gateway: ConversationsGateway;
  readonly directory: ConversationDirectory;
  readonly cache: InboxCache;
  /** SendGrid for this tenant's Email channel; absent when the tenant has no SendGrid key. */
  readonly emailSender?: EmailSender;
  /** The tenant's Media Content Service (uploads and downloads of message files). */
  readonly media?: MediaServiceClient;
  /** Serialises read-modify-write of one conversation's attributes so no update is lost (across instances when scaled out). */
  readonly conversationLock: KeyedLock;
  /** Cache key scoped to this tenant. */
  key(...parts: Array<string | number>): string;
}

export function createTenantInbox(
  tenant: TenantConfig,
  gateway: ConversationsGateway,
  cache: InboxCache,
  options: { indexLimit: number; concurrency: number; conversationLock?: KeyedLock; media?: MediaServiceClient; recentActivity?: RecentActivity },
  emailSender?: EmailSender,
): TenantInbox {
  return {
    tenant,
    gateway,
    cache,
    emailSender,
    media: options.media,
    directory: new ConversationDirectory(cache, gateway, tenant.id, options),
    conversationLock: options.conversationLock ?? inMemoryKeyedLock(),
    key: (...parts) => tenantKey(tenant.id, ...parts),
  };
}
