import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { ConfigError } from "../config-error.js";

/** One tenant: a Twilio account, one Conversations Service, and its sender numbers/addresses. */
export interface TenantConfig {
  readonly id: string;
  readonly name?: string;
  /** Other ids that name this tenant (e.g. the `account_id`s of the PHP-compatible surface). */
  readonly aliases?: readonly string[];
  readonly accountSid: string;
  /** Verifies webhook signatures; also authenticates REST calls unless an API key is given. */
  readonly authToken: string;
  readonly apiKey?: { readonly sid: string; readonly secret: string };
  readonly conversationsServiceSid: string;
  /** A tenant created at sign-up: its Twilio account is the platform's, shared with others (its balance is not its own). */
  readonly sharedAccount?: boolean;
  /** E.164 sender for SMS (the proxy address of SMS bindings). */
  readonly phoneNumber?: string;
  /** `whatsapp:+E164` sender (the proxy address of WhatsApp bindings). */
  readonly whatsappNumber?: string;
  readonly sendgrid?: {
    readonly apiKey: string;
    readonly fromEmail?: string;
    readonly fromName?: string;
    readonly webhookPublicKey?: string;
  };
}

const ENV_NAME = { type: "string", pattern: "^[A-Z_][A-Z0-9_]*$" } as const;

/** TENANTS_FILE: a JSON array. Secrets are referenced by environment variable name, never inline. */
const TENANTS_FILE_SCHEMA = {
  type: "array",
  items: {
    type: "object",
    required: ["id", "accountSid", "authTokenEnv", "conversationsServiceSid"],
    additionalProperties: false,
    properties: {
      id: { type: "string", pattern: "^[a-z0-9][a-z0-9_-]{0,62}$" },
      name: { type: "string", minLength: 1, maxLength: 200 },
      aliases: { type: "array", maxItems: 100, items: { type: "string", pattern: "^[A-Za-z0-9_-]{1,64}$" } },
      accountSid: { type: "string", pattern: "^AC[0-9a-fA-F]{32}$" },
      authTokenEnv: ENV_NAME,
      apiKeySid: { type: "string", pattern: "^SK[0-9a-fA-F]{32}$" },
      apiSecretEnv: ENV_NAME,
      conversationsServiceSid: { type: "string", pattern: "^IS[0-9a-fA-F]{32}$" },
      phoneNumber: { type: "string", pattern: "^\\+[1-9]\\d{1,14}$" },
      whatsappNumber: { type: "string", pattern: "^(whatsapp:)?\\+[1-9]\\d{1,14}$" },
      sendgridApiKeyEnv: ENV_NAME,
      sendgridFromEmail: { type: "string", format: "email" },
      sendgridFromName: { type: "string", minLength: 1 },
      sendgridWebhookPublicKeyEnv: ENV_NAME,
    },
    dependencies: { apiKeySid: ["apiSecretEnv"], apiSecretEnv: ["apiKeySid"] },
  },
} as const;

interface TenantEntry {
  id: string;
  name?: string;
  aliases?: string[];
  accountSid: string;
  authTokenEnv: string;
  apiKeySid?: string;
  apiSecretEnv?: string;
  conversationsServiceSid: string;
  phoneNumber?: string;
  whatsappNumber?: string;
  sendgridApiKeyEnv?: string;
  sendgridFromEmail?: string;
  sendgridFromName?: string;
  sendgridWebhookPublicKeyEnv?: string;
}

const ajv = new Ajv({ allErrors: false });
addFormats.default(ajv);
const validateTenantsFile = ajv.compile<TenantEntry[]>(TENANTS_FILE_SCHEMA);

/** WhatsApp senders are stored with their `whatsapp:` prefix, as Twilio addresses them. */
export function normaliseWhatsappNumber(value: string | undefined): string | undefined {
  if (!value) return undefined;
  return value.startsWith("whatsapp:") ? value : `whatsapp:${value}`;
}

const tenantsFileError = (problem: string) => new ConfigError("TENANTS_FILE", problem);

/** Parses and validates TENANTS_FILE text, resolving secret references from `env`. */
export function parseTenantsFile(text: string, env: Record<string, string | undefined>): TenantConfig[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw tenantsFileError("is not valid JSON");
  }
  if (!validateTenantsFile(parsed)) {
    const error = validateTenantsFile.errors![0]!;
    const where = error.instancePath || "/";
    const extra = error.keyword === "additionalProperties" ? ` (${String(error.params.additionalProperty)})` : "";
    throw tenantsFileError(`${where} ${error.message ?? "is invalid"}${extra}`);
  }
  type SecretField = "authTokenEnv" | "apiSecretEnv" | "sendgridApiKeyEnv" | "sendgridWebhookPublicKeyEnv";
  const secret = (entry: TenantEntry, field: SecretField): string | undefined => {
    const name = entry[field];
    if (name === undefined) return undefined;
    const value = env[name];
    if (!value) throw tenantsFileError(`tenant "${entry.id}" ${field} names ${name}, which is not set`);
    return value;
  };
  return parsed.map((entry) => {
    const sendgridApiKey = secret(entry, "sendgridApiKeyEnv");
    const apiSecret = secret(entry, "apiSecretEnv");
    return {
      id: entry.id,
      name: entry.name,
      aliases: entry.aliases,
      accountSid: entry.accountSid,
      authToken: secret(entry, "authTokenEnv")!,
      apiKey: entry.apiKeySid && apiSecret ? { sid: entry.apiKeySid, secret: apiSecret } : undefined,
      conversationsServiceSid: entry.conversationsServiceSid,
      phoneNumber: entry.phoneNumber,
      whatsappNumber: normaliseWhatsappNumber(entry.whatsappNumber),
      sendgrid: sendgridApiKey
        ? {
            apiKey: sendgridApiKey,
            fromEmail: entry.sendgridFromEmail,
            fromName: entry.sendgridFromName,
            webhookPublicKey: secret(entry, "sendgridWebhookPublicKeyEnv"),
          }
        : undefined,
    };
  });
}
