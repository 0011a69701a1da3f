/**
 * What a tenant created at sign-up keeps about itself (its record in the directory service). Secrets are never
 * stored: a secret is named by the gateway environment variable that holds it (`…Env`, a `TENANT_…` name).
 */
export interface TenantSettings {
  name: string;
  /** E.164 SMS sender (a number of the platform account). */
  smsNumber?: string;
  /** `whatsapp:+E164` sender. */
  whatsappNumber?: string;
  whatsappPhoneNumberId?: string;
  whatsappBusinessAccountId?: string;
  whatsappAccessTokenEnv?: string;
  emailFromAddress?: string;
  emailFromName?: string;
  sendgridApiKeyEnv?: string;
  webhookVerifyTokenEnv?: string;
  webhookEnabled?: boolean;
}

/** A tenant created at sign-up: its id, its Conversations Service in the platform account, and its settings. */
export interface TenantRecord {
  id: string;
  serviceSid: string;
  settings: TenantSettings;
  createdAt: string;
}

const KIND = "switchboard-tenant";

/** The directory identity of a tenant's record. */
export const tenantRecordIdentity = (tenantId: string): string => `tenant-${tenantId}`;

/** The FriendlyName of a tenant's Conversations Service: how discovery recognises it among the account's services. */
export const TENANT_SERVICE_PREFIX = "switchboard-tenant:";

export function tenantRecordAttributes(record: TenantRecord): string {
  return JSON.stringify({ kind: KIND, v: 1, id: record.id, serviceSid: record.serviceSid, settings: record.settings, createdAt: record.createdAt });
}

export function parseTenantRecord(attributes: string): TenantRecord | undefined {
  try {
    const raw = JSON.parse(attributes);
    if (raw?.kind !== KIND || typeof raw.id !== "string" || typeof raw.serviceSid !== "string" || typeof raw.settings?.name !== "string") return undefined;
    return { id: raw.id, serviceSid: raw.serviceSid, settings: raw.settings, createdAt: String(raw.createdAt ?? "") };
  } catch {
    return undefined;
  }
}
