import type twilio from "twilio";
import { translateTwilioError } from "./twilio-error.js";

type TwilioClient = ReturnType<typeof twilio>;

/** WhatsApp's verdict on a template, in Twilio's words (`status`: unsubmitted, received, approved, rejected, paused, …). */
export interface TemplateApproval {
  status: string;
  name: string | null;
  category: string | null;
  rejectionReason: string | null;
}

/** A Content API template as the gateway reads it. */
export interface ContentRecord {
  sid: string;
  friendlyName: string;
  language: string;
  variables: Record<string, string>;
  types: Record<string, unknown>;
  whatsapp: TemplateApproval | null;
  dateCreated: string;
  dateUpdated: string;
}

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : null);

/** Twilio's approval object (snake_case in the JSON the SDK hands back untouched). */
function toApproval(raw: unknown): TemplateApproval | null {
  if (!raw || typeof raw !== "object") return null;
  const a = raw as Record<string, unknown>;
  const status = text(a.status);
  if (!status) return null;
  return { status, name: text(a.name), category: text(a.category), rejectionReason: text(a.rejection_reason ?? a.rejectionReason) };
}

interface ContentLike {
  sid: string;
  friendlyName?: string | null;
  language?: string | null;
  variables?: unknown;
  types?: unknown;
  dateCreated?: Date | null;
  dateUpdated?: Date | null;
}

function toContentRecord(c: ContentLike, approval: unknown): ContentRecord {
  return {
    sid: c.sid,
    friendlyName: c.friendlyName ?? "",
    language: c.language ?? "",
    variables: (c.variables && typeof c.variables === "object" ? c.variables : {}) as Record<string, string>,
    types: (c.types && typeof c.types === "object" ? c.types : {}) as Record<string, unknown>,
    whatsapp: toApproval(approval),
    dateCreated: (c.dateCreated ?? new Date(0)).toISOString(),
    dateUpdated: (c.dateUpdated ?? c.dateCreated ?? new Date(0)).toISOString(),
  };
}

/**
 * The account's Content API (https://www.twilio.com/docs/content/content-api-resources): templates are account-wide;
 * the tenant filter lives in src/templates/. Returns the gateway's records and throws AppError.
 */
export class ContentGateway {
  constructor(private readonly client: TwilioClient) {}

  /** Every template with its WhatsApp approval (ContentAndApprovals): one call per page of 100. */
  listWithApprovals(): Promise<ContentRecord[]> {
    return call(async () => {
      const list = await this.client.content.v1.contentAndApprovals.list({ pageSize: 100 });
      return list.map((c) => toContentRecord(c, (c as unknown as { approvalRequests?: unknown }).approvalRequests));
    });
  }

  /** One template and its WhatsApp approval (two calls). */
  fetch(sid: string): Promise<ContentRecord> {
    return call(async () => {
      const context = this.client.content.v1.contents(sid);
      const [content, approval] = await Promise.all([context.fetch(), context.approvalFetch().fetch()]);
      return toContentRecord(content, approval.whatsapp);
    });
  }

  create(input: { friendlyName: string; language: string; variables?: Record<string, string>; types: Record<string, unknown> }): Promise<ContentRecord> {
    return call(async () => {
      // The SDK sends its argument as the JSON body as is: Twilio's snake_case names, not the SDK class's camelCase.
      const body = { friendly_name: input.friendlyName, language: input.language, variables: input.variables ?? {}, types: input.types };
      const created = await this.client.content.v1.contents.create(body as never);
      return toContentRecord(created, null);
    });
  }

  remove(sid: string): Promise<void> {
    return call(async () => {
      await this.client.content.v1.contents(sid).remove();
    });
  }

  /** Submits the template to WhatsApp (`POST /v1/Content/{Sid}/ApprovalRequests/whatsapp`, `{ name, category }`). */
  requestWhatsappApproval(sid: string, input: { name: string; category: string }): Promise<TemplateApproval> {
    return call(async () => {
      const created = await this.client.content.v1.contents(sid).approvalCreate.create(input as never);
      return (
        toApproval({ status: created.status, name: created.name, category: created.category, rejection_reason: created.rejectionReason }) ?? {
          status: "received",
          name: input.name,
          category: input.category,
          rejectionReason: null,
        }
      );
    });
  }
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateTwilioError(error);
  }
}
