import twilio from "twilio";
import type RequestClient from "twilio/lib/base/RequestClient.js";
import type { Config } from "../config.js";
import type { TenantConfig } from "../tenants/tenant-config.js";
import { ConversationsGateway } from "./conversations-gateway.js";
import { UpstreamRequestClient, type UpstreamCallEvent } from "./upstream-request-client.js";

/** Builds one twilio SDK client per tenant (its own credentials), all sharing the upstream policy. */
export function createTenantGateways(
  config: Pick<Config, "upstream" | "twilioApiBaseUrl">,
  tenants: readonly TenantConfig[],
  onUpstreamCall?: (tenantId: string, event: UpstreamCallEvent) => void,
): Map<string, ConversationsGateway> {
  const gateways = new Map<string, ConversationsGateway>();
  for (const tenant of tenants) gateways.set(tenant.id, createTenantGateway(config, tenant, onUpstreamCall));
  return gateways;
}

/** One tenant's gateway: a twilio SDK client with the tenant's credentials and the shared upstream policy. */
export function createTenantGateway(
  config: Pick<Config, "upstream" | "twilioApiBaseUrl">,
  tenant: TenantConfig,
  onUpstreamCall?: (tenantId: string, event: UpstreamCallEvent) => void,
): ConversationsGateway {
  const { client, httpClient } = createTwilioClient(config, tenant, onUpstreamCall && ((event) => onUpstreamCall(tenant.id, event)));
  return new ConversationsGateway(client, tenant.conversationsServiceSid, tenant.accountSid, () => httpClient.guard.state);
}

/** A twilio SDK client for `tenant`'s account, whose calls go through the upstream policy (retries, guard, timeouts). */
export function createTwilioClient(
  config: Pick<Config, "upstream" | "twilioApiBaseUrl">,
  tenant: Pick<TenantConfig, "accountSid" | "authToken" | "apiKey">,
  onCall?: (event: UpstreamCallEvent) => void,
) {
  const httpClient = new UpstreamRequestClient({
    baseUrl: config.twilioApiBaseUrl,
    timeoutMs: config.upstream.timeoutMs,
    retry: {
      maxRetries: config.upstream.maxRetries,
      baseDelayMs: config.upstream.retryBaseMs,
      maxDelayMs: config.upstream.maxRetryDelayMs,
    },
    guard: {
      maxInFlight: config.upstream.maxInFlight,
      conversationWritesPerSecond: config.upstream.conversationWritesPerSecond,
      breakerResetMs: config.upstream.breakerResetMs,
      breakerErrorPercentage: 50,
      breakerVolumeThreshold: config.upstream.breakerVolumeThreshold,
    },
    onCall,
  });
  // The SDK calls only `request` of a custom httpClient; its type names the axios-based RequestClient class.
  const sdkHttpClient = httpClient as unknown as RequestClient;
  const client = tenant.apiKey
    ? twilio(tenant.apiKey.sid, tenant.apiKey.secret, { accountSid: tenant.accountSid, httpClient: sdkHttpClient })
    : twilio(tenant.accountSid, tenant.authToken, { httpClient: sdkHttpClient });
  return { client, httpClient };
}
