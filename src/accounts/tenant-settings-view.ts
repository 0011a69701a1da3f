import { AppError } from "../errors.js";
import type { TenantInbox } from "../inbox/tenant-inbox.js";
import type { TenantSettings } from "../tenants/tenant-settings.js";
import type { AccountsContext } from "./accounts-context.js";

/** A secret as settings show it: whether it is set and where it is kept — never its value. */
function secretView(envName: string | undefined, context: AccountsContext) {
  return {
    configured: envName !== undefined && context.settings.secretReference(envName) !== undefined,
    storedIn: envName ? `environment variable ${envName} of the gateway` : null,
  };
}

/** GET /api/settings: a tenant created at sign-up shows its record; a configured tenant what its configuration says. */
export async function readSettings(context: AccountsContext, inbox: TenantInbox) {
  if (!context.tenants.isDynamic(inbox.tenant.id)) {
    const t = inbox.tenant;
    return {
      tenant: { id: t.id, name: t.name ?? t.id },
      managedBy: "configuration" as const,
      smsConfig: { phoneNumber: t.phoneNumber ?? null },
      whatsappConfig: { number: t.whatsappNumber ?? null, phoneNumberId: null, businessAccountId: null, accessToken: { configured: false, storedIn: null } },
      emailConfig: {
        fromEmail: t.sendgrid?.fromEmail ?? null,
        fromName: t.sendgrid?.fromName ?? null,
        sendgridApiKey: { configured: Boolean(t.sendgrid), storedIn: t.sendgrid ? "the gateway's configuration (TENANTS_FILE / SENDGRID_API_KEY)" : null },
      },
      webhookConfig: { enabled: true, verifyToken: { configured: false, storedIn: null } },
    };
  }
  const record = await context.tenants.read(inbox.tenant.id);
  if (!record) throw new AppError("not_found", "no such tenant");
  return view(context, inbox.tenant.id, record.settings);
}

function view(context: AccountsContext, id: string, s: TenantSettings) {
  return {
    tenant: { id, name: s.name },
    managedBy: "api" as const,
    smsConfig: { phoneNumber: s.smsNumber ?? null },
    whatsappConfig: {
      number: s.whatsappNumber ?? null,
      phoneNumberId: s.whatsappPhoneNumberId ?? null,
      businessAccountId: s.whatsappBusinessAccountId ?? null,
      accessToken: secretView(s.whatsappAccessTokenEnv, context),
    },
    emailConfig: {
      fromEmail: s.emailFromAddress ?? null,
      fromName: s.emailFromName ?? null,
      sendgridApiKey: secretView(s.sendgridApiKeyEnv, context),
    },
    webhookConfig: { enabled: s.webhookEnabled ?? false, verifyToken: secretView(s.webhookVerifyTokenEnv, context) },
  };
}

export interface SettingsPatch {
  name?: string;
  smsConfig?: { phoneNumber?: string | null };
  whatsappConfig?: { number?: string | null; phoneNumberId?: string | null; businessAccountId?: string | null; accessToken?: string; accessTokenEnv?: string | null };
  emailConfig?: { fromEmail?: string | null; fromName?: string | null; sendgridApiKey?: string; sendgridApiKeyEnv?: string | null };
  webhookConfig?: { enabled?: boolean; verifyToken?: string; verifyTokenEnv?: string | null };
}

const BY_REFERENCE = (field: string) =>
  new AppError("validation_failed", `${field} is a secret: it is never stored by this API. Put it in an environment variable of the gateway (TENANT_…) and send ${field}Env naming it`, { field });

/** PATCH /api/settings: only tenants created at sign-up (a configured tenant changes in its configuration). */
export async function updateSettings(context: AccountsContext, inbox: TenantInbox, patch: SettingsPatch) {
  const id = inbox.tenant.id;
  if (!context.tenants.isDynamic(id)) throw new AppError("conflict", "this tenant is configured by the gateway's environment (TWILIO_*, TENANTS_FILE); change it there");
  if (patch.whatsappConfig?.accessToken !== undefined) throw BY_REFERENCE("whatsappConfig/accessToken");
  if (patch.emailConfig?.sendgridApiKey !== undefined) throw BY_REFERENCE("emailConfig/sendgridApiKey");
  if (patch.webhookConfig?.verifyToken !== undefined) throw BY_REFERENCE("webhookConfig/verifyToken");
  for (const [field, name] of [
    ["whatsappConfig/accessTokenEnv", patch.whatsappConfig?.accessTokenEnv],
    ["emailConfig/sendgridApiKeyEnv", patch.emailConfig?.sendgridApiKeyEnv],
    ["webhookConfig/verifyTokenEnv", patch.webhookConfig?.verifyTokenEnv],
  ] as const) {
    if (name && context.settings.secretReference(name) === undefined)
      throw new AppError("validation_failed", `${field}: ${name} is not set in the gateway's environment`, { field });
  }
  const sms = patch.smsConfig?.phoneNumber;
  const whatsapp = patch.whatsappConfig?.number;
  const whatsappAddress = whatsapp ? (whatsapp.startsWith("whatsapp:") ? whatsapp : `whatsapp:${whatsapp}`) : whatsapp;
  // A sender is one tenant's: another tenant's number would send as them and receive their customers' replies.
  for (const other of context.registry.all()) {
    if (other.tenant.id === id) continue;
    if (sms && (other.tenant.phoneNumber === sms)) throw new AppError("conflict", "this SMS number is another tenant's sender", { field: "smsConfig/phoneNumber" });
    if (whatsappAddress && other.tenant.whatsappNumber === whatsappAddress)
      throw new AppError("conflict", "this WhatsApp number is another tenant's sender", { field: "whatsappConfig/number" });
  }
  const pick = <T>(value: T | null | undefined, current: T | undefined): T | undefined => (value === undefined ? current : (value ?? undefined));
  const record = await context.tenants.updateSettings(id, (s) => ({
    name: patch.name?.trim() ?? s.name,
    smsNumber: pick(sms, s.smsNumber),
    whatsappNumber: pick(whatsappAddress, s.whatsappNumber),
    whatsappPhoneNumberId: pick(patch.whatsappConfig?.phoneNumberId, s.whatsappPhoneNumberId),
    whatsappBusinessAccountId: pick(patch.whatsappConfig?.businessAccountId, s.whatsappBusinessAccountId),
    whatsappAccessTokenEnv: pick(patch.whatsappConfig?.accessTokenEnv, s.whatsappAccessTokenEnv),
    emailFromAddress: pick(patch.emailConfig?.fromEmail, s.emailFromAddress),
    emailFromName: pick(patch.emailConfig?.fromName, s.emailFromName),
    sendgridApiKeyEnv: pick(patch.emailConfig?.sendgridApiKeyEnv, s.sendgridApiKeyEnv),
    webhookVerifyTokenEnv: pick(patch.webhookConfig?.verifyTokenEnv, s.webhookVerifyTokenEnv),
    webhookEnabled: patch.webhookConfig?.enabled ?? s.webhookEnabled,
  }));
  return view(context, id, record.settings);
}
