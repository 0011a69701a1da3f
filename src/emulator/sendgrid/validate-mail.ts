import type { SendGridErrorItem } from "./sendgrid-error.js";

/** The parts of a v3 Mail Send body the emulator checks; other keys pass through untouched. */
export interface MailAddress {
  email: string;
  name?: string;
}

export interface MailPersonalization {
  to: MailAddress[];
  cc?: MailAddress[];
  bcc?: MailAddress[];
  subject?: string;
  custom_args?: Record<string, string>;
  [key: string]: unknown;
}

export interface MailPayload {
  personalizations: MailPersonalization[];
  from: MailAddress;
  reply_to?: MailAddress;
  subject?: string;
  content?: Array<{ type: string; value: string }>;
  custom_args?: Record<string, string>;
  categories?: string[];
  template_id?: string;
  [key: string]: unknown;
}

// Messages, fields and help links as SendGrid answers them ("Mail Send Errors" page and
// responses quoted in sendgrid-nodejs/-php/-go issues).
const HELP = "http://sendgrid.com/docs/API_Reference/Web_API_v3/Mail/errors.html";
const EMAIL = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;
const MAX_PERSONALIZATIONS = 1000;
const MAX_RECIPIENTS = 1000;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON-schema type names, as in SendGrid's "Invalid type. Expected: X, given: Y." */
function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function invalidType(expected: string, value: unknown, field: string, help: string | null): SendGridErrorItem {
  return { message: `Invalid type. Expected: ${expected}, given: ${typeOf(value)}.`, field, help };
}

/** Every problem SendGrid would report for `body`; empty when the mail is accepted. */
export function validateMail(body: unknown): SendGridErrorItem[] {
  if (!isObject(body)) return [{ message: "Bad Request", field: null, help: null }];
  const errors: SendGridErrorItem[] = [];
  const personalizations = Array.isArray(body.personalizations) ? body.personalizations : [];
  if (personalizations.length === 0) {
    errors.push({
      message: "The personalizations field is required and must have at least one personalization.",
      field: "personalizations",
      help: `${HELP}#-Personalizations-Errors`,
    });
  } else if (personalizations.length > MAX_PERSONALIZATIONS) {
    errors.push({
      message: `The personalization block is limited to 1000 personalizations per API request. You have provided ${personalizations.length} personalizations. Please consider splitting this into multiple requests and resending your request.`,
      field: "personalizations",
      help: `${HELP}#-Personalizations-Errors`,
    });
  }
  let recipients = 0;
  personalizations.forEach((p, i) => {
    recipients += checkPersonalization(p, i, errors);
  });
  if (recipients > MAX_RECIPIENTS) {
    errors.push({
      message: "There is a limit of 1000 total recipients (to + cc + bcc) per request.",
      field: "personalizations",
      help: `${HELP}#-Personalizations-Errors`,
    });
  }
  checkFrom(body.from, errors);
  if (body.reply_to !== undefined && !isAddress(body.reply_to)) {
    errors.push({ message: "The reply_to email does not contain a valid address.", field: "reply_to.email", help: `${HELP}#message.reply_to` });
  }
  const usesTemplate = typeof body.template_id === "string" && body.template_id.length > 0;
  checkSubject(body.subject, personalizations, usesTemplate, errors);
  if (!usesTemplate || body.content !== undefined) checkContent(body.content, errors);
  checkCustomArgs(body.custom_args, "custom_args", errors);
  return errors;
}

function isAddress(value: unknown): boolean {
  return isObject(value) && typeof value.email === "string" && EMAIL.test(value.email) &&
    (value.name === undefined || typeof value.name === "string");
}

/** Checks one personalization; returns how many recipients it names. */
function checkPersonalization(p: unknown, i: number, errors: SendGridErrorItem[]): number {
  const at = `personalizations.${i}`;
  const to = isObject(p) && Array.isArray(p.to) ? p.to : [];
  if (to.length === 0) {
    errors.push({
      message: "The to array is required for all personalization objects, and must have at least one email object with a valid email address.",
      field: `${at}.to`,
      help: `${HELP}#message.personalizations.to`,
    });
  }
  if (!isObject(p)) return 0;
  const seen = new Set<string>();
  let count = 0;
  for (const kind of ["to", "cc", "bcc"] as const) {
    const list = p[kind];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      errors.push(invalidType("array", list, `${at}.${kind}`, `${HELP}#message.personalizations.${kind}`));
      continue;
    }
    list.forEach((address, j) => {
      count += 1;
      if (!isAddress(address)) {
        errors.push({ message: "Does not contain a valid address.", field: `${at}.${kind}.${j}.email`, help: `${HELP}#message.personalizations.${kind}` });
        return;
      }
      const email = String((address as Json).email).toLowerCase();
      if (seen.has(email)) {
        errors.push({
          message: `Each email address in the personalization block should be unique between to, cc, and bcc. We found the first duplicate instance of [${email}] in the ${at}.${kind} field.`,
          field: at,
          help: `${HELP}#-Personalizations-Errors`,
        });
      }
      seen.add(email);
    });
  }
  if (p.subject !== undefined && typeof p.subject !== "string") {
    errors.push(invalidType("string", p.subject, `${at}.subject`, `${HELP}#message.personalizations.subject`));
  }
  checkCustomArgs(p.custom_args, `${at}.custom_args`, errors);
  return count;
}

function checkFrom(from: unknown, errors: SendGridErrorItem[]): void {
  if (!isObject(from) || typeof from.email !== "string" || from.email === "") {
    errors.push({
      message: 'The from object must be provided for every email send. It is an object that requires the email parameter, but may also contain a name parameter.  e.g. {"email" : "example@example.com"}  or {"email" : "example@example.com", "name" : "Example Recipient"}.',
      field: "from.email",
      help: `${HELP}#message.from`,
    });
  } else if (!isAddress(from)) {
    errors.push({ message: "The from email does not contain a valid address.", field: "from.email", help: `${HELP}#message.from` });
  }
}

function checkSubject(subject: unknown, personalizations: unknown[], usesTemplate: boolean, errors: SendGridErrorItem[]): void {
  if (subject !== undefined && typeof subject !== "string") {
    errors.push(invalidType("string", subject, "subject", `${HELP}#message.subject`));
    return;
  }
  const everyPersonalizationHasOne =
    personalizations.length > 0 &&
    personalizations.every((p) => isObject(p) && typeof p.subject === "string" && p.subject !== "");
  if (!subject && !everyPersonalizationHasOne && !usesTemplate) {
    errors.push({
      message: "The subject is required. You can get around this requirement if you use a template with a subject defined or if every personalization has a subject defined.",
      field: "subject",
      help: `${HELP}#message.subject`,
    });
  }
}

function checkContent(content: unknown, errors: SendGridErrorItem[]): void {
  if (!Array.isArray(content) || content.length === 0) {
    errors.push({
      message: "Unless a valid template_id is provided, the content parameter is required. There must be at least one defined content block. We typically suggest both text/plain and text/html blocks are included, but only one block is required.",
      field: "content",
      help: `${HELP}#message.content`,
    });
    return;
  }
  content.forEach((block, k) => {
    if (!isObject(block) || typeof block.type !== "string" || block.type === "") {
      errors.push({ message: "The content type must be a string at least one character in length.", field: `content.${k}.type`, help: `${HELP}#message.content.type` });
    }
    if (!isObject(block) || typeof block.value !== "string" || block.value === "") {
      errors.push({ message: "The content value must be a string at least one character in length.", field: `content.${k}.value`, help: `${HELP}#message.content.value` });
    }
  });
  const types = content.map((block) => (isObject(block) ? block.type : undefined));
  const plain = types.filter((t) => t === "text/plain").length;
  const html = types.filter((t) => t === "text/html").length;
  if (plain > 1 || html > 1) {
    errors.push({ message: "If present, text/plain and text/html may only be provided once.", field: "content", help: null });
  } else if ((plain === 1 && types[0] !== "text/plain") || (html === 1 && types[plain] !== "text/html")) {
    errors.push({
      message: "Following RFC 1341, section 7.2, if either text/html or text/plain are to be sent in your email: text/plain needs to be first, followed by text/html, followed by any other content.",
      field: "content",
      help: null,
    });
  }
}

function checkCustomArgs(args: unknown, field: string, errors: SendGridErrorItem[]): void {
  if (args === undefined) return;
  const help = `${HELP}#message.${field.replace(/\.\d+\./, ".")}`;
  if (!isObject(args)) {
    errors.push(invalidType("object", args, field, help));
    return;
  }
  for (const [key, value] of Object.entries(args)) {
    if (typeof value !== "string") errors.push(invalidType("string", value, `${field}.${key}`, help));
  }
}
