import { isoDate } from "../format-date.js";
import type { Content, ContentApproval } from "../model/types.js";

/** Content's base URL (the spec's `servers`): every `url` and page link uses it. */
export const CONTENT_HOST = "https://content.twilio.com";

/** The fields `content.v1.content` and `content.v1.content_and_approvals` share. */
const contentFields = (c: Content) => ({
  sid: c.sid,
  account_sid: c.accountSid,
  friendly_name: c.friendlyName,
  language: c.language,
  variables: c.variables,
  types: c.types,
  date_created: isoDate(c.dateCreated),
  date_updated: isoDate(c.dateUpdated),
});

/** `content.v1.content` (twilio_content_v1.json). */
export function contentJson(c: Content) {
  const url = `${CONTENT_HOST}/v1/Content/${c.sid}`;
  return {
    ...contentFields(c),
    url,
    links: { approval_create: `${url}/ApprovalRequests/whatsapp`, approval_fetch: `${url}/ApprovalRequests` },
  };
}

/** The `whatsapp` approval object (approval_create; inside approval_fetch and content_and_approvals). */
export function approvalJson(a: ContentApproval | null) {
  return {
    name: a?.name ?? "",
    category: a?.category ?? "",
    content_type: a?.contentType ?? "",
    status: a?.status ?? "unsubmitted",
    rejection_reason: a?.rejectionReason ?? "",
    allow_category_change: a?.allowCategoryChange ?? true,
  };
}

/** `content.v1.content_and_approvals`. */
export function contentAndApprovalsJson(c: Content) {
  return {
    ...contentFields(c),
    approval_requests: approvalJson(c.approval),
  };
}

/** `content.v1.content.approval_fetch`. */
export function approvalFetchJson(c: Content) {
  return {
    sid: c.sid,
    account_sid: c.accountSid,
    whatsapp: { type: "whatsapp", ...approvalJson(c.approval) },
    url: `${CONTENT_HOST}/v1/Content/${c.sid}/ApprovalRequests`,
  };
}
