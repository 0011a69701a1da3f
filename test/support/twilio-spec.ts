import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/**
 * Loads Twilio's OpenAPI descriptions (../shared/twilio-oai) and checks emulator exchanges against
 * them: response bodies against the schema of the matched path + method + status, error bodies
 * against Twilio's error shape, and request parameters against the operation's declared ones.
 */

// Beside the repository (../shared), or where TWILIO_OAI_DIR says (a git worktree checked out elsewhere).
const SPEC_DIR = process.env.TWILIO_OAI_DIR
  ? new URL(`file://${process.env.TWILIO_OAI_DIR.replace(/\/?$/, "/")}`)
  : new URL("../../../shared/twilio-oai/", import.meta.url);
const SPEC_FILES = { conversations: "twilio_conversations_v1.json", api: "twilio_api_v2010.json", content: "twilio_content_v1.json" } as const;
type SpecName = keyof typeof SPEC_FILES;

type Json = Record<string, any>;

const MCS_PATH = /^\/v1\/Services\/[^/]+\/Media(\/|$)/;
/** A messaging Media's content (its URI without `.json`): bytes, not a JSON resource of the spec. */
const MEDIA_CONTENT_PATH = /^\/2010-04-01\/Accounts\/[^/]+\/Messages\/[^/]+\/Media\/ME[0-9a-f]{32}$/;

/** The parts of an exchange the checker reads (the emulator's `Exchange` fits). */
export interface CheckedExchange {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  form: Record<string, string | string[]>;
  status: number;
  responseBody: unknown;
}

interface Operation {
  spec: SpecName;
  template: string;
  method: string;
  regex: RegExp;
  literalLength: number;
  params: Set<string>;
  responses: Map<number, ValidateFunction | null>;
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function readSpec(name: SpecName): Json {
  return JSON.parse(readFileSync(new URL(SPEC_FILES[name], SPEC_DIR), "utf8"));
}

/** Deep-walks a spec fragment, fixing what ajv 8 rejects (see the README beside the spec). */
function normalize(node: unknown, specId: string): unknown {
  if (Array.isArray(node)) return node.map((item) => normalize(item, specId));
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === "$ref" && typeof value === "string" && value.startsWith("#/")) {
      out[key] = `${specId}${value}`;
    } else {
      out[key] = normalize(value, specId);
    }
  }
  // `nullable` without `type` is an ajv error; such properties accept anything anyway.
  if (out.nullable !== undefined && out.type === undefined) delete out.nullable;
  // Enums referenced by bare $ref come back as null in real responses and in the spec examples.
  if (Array.isArray(out.enum) && out.type === "string") {
    out.nullable = true;
    if (!out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

function collect(node: unknown, found: { formats: Set<string>; keywords: Set<string> }): void {
  if (Array.isArray(node)) return node.forEach((item) => collect(item, found));
  if (!node || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node as Json)) {
    if (key === "format" && typeof value === "string") found.formats.add(value);
    if (key.startsWith("x-")) found.keywords.add(key);
    collect(value, found);
  }
}

function createAjv(spec: Json, name: SpecName): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false });
  addFormats(ajv);
  // `components` only holds the $ref targets (`<spec>#/components/schemas/…`).
  const found = { formats: new Set<string>(), keywords: new Set<string>(["example", "components"]) };
  collect(spec, found);
  for (const keyword of found.keywords) ajv.addKeyword({ keyword });
  for (const format of found.formats) {
    if (!ajv.formats[format]) ajv.addFormat(format, true);
  }
  // Api 2010 page URIs (first_page_uri, next_page_uri…) are relative to https://api.twilio.com.
  if (name === "api") ajv.addFormat("uri", /^(https?:\/\/|\/)\S*$/);
  ajv.addSchema({ $id: name, components: normalize(spec.components, name) });
  return ajv;
}

function templateRegex(template: string): { regex: RegExp; literalLength: number } {
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+");
  return { regex: new RegExp(`^${escaped}$`), literalLength: template.replace(/\{[^}]+\}/g, "").length };
}

function loadOperations(name: SpecName, spec: Json, ajv: Ajv, selfCheck: string[]): Operation[] {
  const operations: Operation[] = [];
  for (const [template, item] of Object.entries<Json>(spec.paths)) {
    for (const method of ["get", "post", "delete"]) {
      const op = item[method] as Json | undefined;
      if (!op) continue;
      const params = new Set<string>((op.parameters ?? []).map((p: Json) => p.name as string));
      const form = op.requestBody?.content?.["application/x-www-form-urlencoded"]?.schema?.properties;
      for (const key of Object.keys(form ?? {})) params.add(key);
      const responses = new Map<number, ValidateFunction | null>();
      for (const [status, response] of Object.entries<Json>(op.responses ?? {})) {
        const content = response.content?.["application/json"];
        if (!content?.schema) {
          responses.set(Number(status), null);
          continue;
        }
        const validate = ajv.compile(normalize(content.schema, name) as Json);
        responses.set(Number(status), validate);
        for (const [exampleName, example] of Object.entries<Json>(content.examples ?? {})) {
          if (!validate(example.value)) {
            selfCheck.push(`${method.toUpperCase()} ${template} ${status} example ${exampleName}: ${ajv.errorsText(validate.errors)}`);
          }
        }
      }
      operations.push({ spec: name, template, method: method.toUpperCase(), ...templateRegex(template), params, responses });
    }
  }
  return operations;
}

export interface TwilioSpecChecker {
  /** Problems with the spec's own examples (should be empty: a self-check of this loader). */
  readonly selfCheckProblems: string[];
  /** Problems with a response: unknown operation, undeclared status, schema or error-shape errors. */
  checkResponse(exchange: CheckedExchange): string[];
  /** Query or form keys the spec does not declare for the operation. */
  checkRequestParams(exchange: CheckedExchange): string[];
  /** The spec operation (`METHOD template`) an exchange matches, if any. */
  operationOf(exchange: Pick<CheckedExchange, "method" | "path">): string | undefined;
}

let cached: { operations: Operation[]; selfCheck: string[] } | undefined;

function load() {
  if (cached) return cached;
  const selfCheck: string[] = [];
  const operations: Operation[] = [];
  for (const name of Object.keys(SPEC_FILES) as SpecName[]) {
    const spec = readSpec(name);
    operations.push(...loadOperations(name, spec, createAjv(spec, name), selfCheck));
  }
  cached = { operations, selfCheck };
  return cached;
}

function checkErrorBody(exchange: CheckedExchange, label: string): string[] {
  const body = exchange.responseBody as Json | null;
  if (!body || typeof body !== "object") return [`${label}: error without a JSON body`];
  const problems: string[] = [];
  const keys = Object.keys(body).sort().join(",");
  if (keys !== "code,message,more_info,status") problems.push(`${label}: error keys are ${keys}`);
  if (!Number.isInteger(body.code)) problems.push(`${label}: error code is not an integer`);
  if (typeof body.message !== "string" || body.message === "") problems.push(`${label}: error message missing`);
  if (body.more_info !== `https://www.twilio.com/docs/errors/${body.code}`) problems.push(`${label}: more_info is ${body.more_info}`);
  if (body.status !== exchange.status) problems.push(`${label}: body status ${body.status} ≠ HTTP ${exchange.status}`);
  return problems;
}

/** Builds a checker over both specs (compiled once per process). */
export function createTwilioSpecChecker(): TwilioSpecChecker {
  const { operations, selfCheck } = load();
  const find = (method: string, path: string) =>
    operations
      .filter((op) => op.method === method.toUpperCase() && op.regex.test(path))
      .sort((a, b) => b.literalLength - a.literalLength)[0];

  return {
    selfCheckProblems: selfCheck,
    operationOf: ({ method, path }) => {
      const op = find(method, path);
      return op ? `${op.method} ${op.template}` : undefined;
    },
    checkResponse(exchange) {
      // MCS (Media) is not in Twilio's OpenAPI files: test/emulator/mcs-api.test.ts checks it against the docs.
      if (MCS_PATH.test(exchange.path) || MEDIA_CONTENT_PATH.test(exchange.path)) return [];
      const op = find(exchange.method, exchange.path);
      const label = `${exchange.method} ${exchange.path} → ${exchange.status}`;
      if (!op) return [`${label}: no operation in the spec`];
      if (exchange.status >= 400) return checkErrorBody(exchange, label);
      if (!op.responses.has(exchange.status)) return [`${label}: status not declared for ${op.template}`];
      const validate = op.responses.get(exchange.status);
      if (!validate) {
        const empty = exchange.responseBody === null || exchange.responseBody === undefined || exchange.responseBody === "";
        return empty ? [] : [`${label}: expected no body`];
      }
      if (validate(exchange.responseBody)) return [];
      return (validate.errors ?? []).map((e) => `${label}: ${e.instancePath || "/"} ${e.message}`);
    },
    checkRequestParams(exchange) {
      const op = find(exchange.method, exchange.path);
      if (!op) return [];
      const sent = [...Object.keys(exchange.query), ...Object.keys(exchange.form)];
      return sent
        .filter((key) => !op.params.has(key))
        .map((key) => `${exchange.method} ${exchange.path}: parameter ${key} is not declared for ${op.template}`);
    },
  };
}
