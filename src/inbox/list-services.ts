import type { ServiceRecord } from "./inbox-types.js";
import type { TenantInbox } from "./tenant-inbox.js";

/** Twilio lists at most this many services per account. */
const MAX_SERVICES = 1000;

/**
 * The tenant's Conversations Service, as Twilio lists it (cached like every read). The account may hold other
 * services (tenants can share an account), which are never shown: a tenant sees only its own.
 */
export async function listServices(inbox: TenantInbox): Promise<ServiceRecord[]> {
  const cached = await inbox.cache.getOrLoad(inbox.key("services"), async () => {
    const services = await inbox.gateway.listServices(MAX_SERVICES);
    return { items: services.filter((service) => service.sid === inbox.tenant.conversationsServiceSid) };
  });
  return cached.items;
}
