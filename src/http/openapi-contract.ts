import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { LRUCache } from "lru-cache";
import { parse as parseYaml } from "yaml";
import { isRole, type Role } from "../accounts/roles.js";
import { AppError } from "../errors.js";
import type { AuditDeclaration } from "./message-audit.js";

/** Where the contract lives: the repo root, one level above both src/ and dist/. */
export const CONTRACT_PATH = new URL("../../openapi.yaml", import.meta.url);

const CONTRACT_ID = "switchboard-contract";
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

interface ParameterObject {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema: object;
}

/** One operation of the contract, with its request validators compiled once. */
export interface ContractOperation {
  readonly operationId: string;
  readonly method: (typeof METHODS)[number];
  /** OpenAPI template, e.g. `/api/v1/chat/conversations/{sid}`. */
  readonly path: string;
  /** The same as a koa-router path, e.g. `/api/v1/chat/conversations/:sid`. */
  readonly routerPath: string;
  /** `x-error-envelope` of the operation: how its errors are shaped (default: `{ error: {...} }`). */
  readonly errorEnvelope: string | undefined;
  /** `x-roles` of the operation: the roles that may call it (checked by the operation router), if declared. */
  readonly roles: readonly Role[] | undefined;
  /** The security scheme the contract requires (its first requirement), if any. */
  readonly securityScheme: string | undefined;
  /** The API the operation belongs to: its first tag (chat, sms, org-inbox, php-compat, …). */
  readonly surface: string;
  /** `x-audit`: where its 2xx answers carry message content; every such answer is written to the audit log. */
  readonly audit: AuditDeclaration | undefined;
  /**
   * Validates and coerces path, query and header parameters; returns them typed, or throws a 400 AppError. The query
   * is `query`, or read from `from` (a Koa context): then a GET's valid query is remembered per operation and raw
   * query string, frozen, and parsed only the first time; an invalid one is validated (and refused) every time.
   */
  parseParameters(input: {
    path: Record<string, string>;
    query?: Record<string, unknown>;
    from?: QuerySource;
    headers: Record<string, unknown>;
  }): {
    path: Record<string, unknown>;
    query: Readonly<Record<string, unknown>>;
    headers: Record<string, unknown>;
  };
  /** Media types the operation accepts a body in (empty when it takes none). */
  readonly bodyMediaTypes: readonly string[];
  /** Validates a parsed body of `mediaType` (no coercion); throws a 400 AppError naming the field. */
  parseBody(body: unknown, present: boolean, mediaType: string | undefined): unknown;
}

/** Where a request's query comes from: its raw string and (parsed when read) its values, as a Koa context has them. */
export interface QuerySource {
  readonly querystring: string;
  readonly query: Record<string, unknown>;
}

export interface Contract {
  readonly document: Record<string, unknown>;
  readonly text: string;
  readonly operations: readonly ContractOperation[];
  /** Validator for a response body (compiled on first use); undefined when the contract declares no body. */
  responseValidator(operationId: string, status: number): ValidateFunction | undefined;
  /** Whether the contract declares this status for the operation. */
  declaresStatus(operationId: string, status: number): boolean;
}

function newAjv(coerceTypes: boolean, document: Record<string, unknown>) {
  const ajv = new Ajv2020({ coerceTypes: coerceTypes ? "array" : false, useDefaults: true, allErrors: false, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats.default(ajv);
  ajv.addKeyword("components");
  ajv.addKeyword("example");
  ajv.addSchema({ $id: CONTRACT_ID, components: document.components }, CONTRACT_ID);
  return ajv;
}

/** Rewrites `#/components/...` refs so schemas compiled on their own resolve against the contract. */
function anchorRefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(anchorRefs) as T;
  if (!value || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = key === "$ref" && typeof inner === "string" && inner.startsWith("#/") ? `${CONTRACT_ID}${inner}` : anchorRefs(inner);
  }
  return out as T;
}

function resolve<T>(document: Record<string, unknown>, value: T): T {
  const ref = (value as { $ref?: string }).$ref;
  if (!ref) return value;
  return ref
    .slice(2)
    .split("/")
    .reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], document) as T;
}

function fieldOf(error: ErrorObject, prefix = ""): string {
  const base = error.instancePath.replace(/^\//, "");
  const child =
    error.keyword === "required"
      ? String(error.params.missingProperty)
      : error.keyword === "additionalProperties"
        ? String(error.params.additionalProperty)
        : "";
  const field = [prefix, base, child].filter(Boolean).join("/");
  return field || prefix || "body";
}

function invalid(error: ErrorObject, prefix?: string): AppError {
  const field = fieldOf(error, prefix);
  const detail =
    error.keyword === "additionalProperties" ? "is not allowed" : error.keyword === "required" ? "is required" : (error.message ?? "is invalid");
  return new AppError("validation_failed", `${field} ${detail}`, { field });
}

/**
 * A plain copy of a parsed query or path-parameter object, for ajv to coerce and default in place. Not a spread:
 * V8 clones Koa's query object (its keys are `defineProperty`'d) about 5 µs slower than it copies it key by key.
 */
function copyOwn(source: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    // `?__proto__=…` stays an own property (an assignment would set the copy's prototype).
    if (key === "__proto__") Object.defineProperty(copy, key, { value: source[key], enumerable: true, writable: true, configurable: true });
    else copy[key] = source[key];
  }
  return copy;
}

/**
 * Valid queries remembered per operation: a client polls the same few query strings, and each costs a parse, a
 * copy, ajv's coercion and the non-finite check (≈ 3 µs). Bounded in count and key length, as the query string is
 * the client's to choose.
 */
const QUERY_MEMO_ENTRIES = 64;
const QUERY_MEMO_MAX_KEY_LENGTH = 256;

/** Freezes a coerced query and the arrays in it (the memo hands the same object to every request). */
function freezeQuery(query: Record<string, unknown>): Readonly<Record<string, unknown>> {
  for (const value of Object.values(query)) if (Array.isArray(value)) Object.freeze(value);
  return Object.freeze(query);
}

/**
 * ajv coerces "1e999" (and JSON parses 1e999) to Infinity, which passes `integer` and its bounds: refuse any
 * non-finite number, naming where it is.
 */
function rejectNonFinite(value: unknown, path: string): void {
  // Iterative: a body may nest thousands of levels deep (no recursion to overflow the stack).
  const pending: Array<[unknown, string]> = [[value, path]];
  while (pending.length > 0) {
    const [current, where] = pending.pop()!;
    if (typeof current === "number" && !Number.isFinite(current)) {
      const field = where.replace(/^\//, "") || "body";
      throw new AppError("validation_failed", `${field} must be a finite number`, { field });
    }
    if (current && typeof current === "object") {
      for (const [key, inner] of Object.entries(current)) pending.push([inner, `${where}/${key}`]);
    }
  }
}

/** An operation's `x-audit`, checked: two JSON pointers (see AuditDeclaration). */
function auditDeclarationOf(operationId: string, value: unknown): AuditDeclaration | undefined {
  if (value === undefined) return undefined;
  const { messages, conversationSid } = (value ?? {}) as Record<string, unknown>;
  const pointer = (p: unknown) => typeof p === "string" && (p === "" || p.startsWith("/"));
  if (!pointer(messages) || !pointer(conversationSid))
    throw new Error(`x-audit of ${operationId} needs JSON pointers \`messages\` and \`conversationSid\``);
  return { messages: messages as string, conversationSid: conversationSid as string };
}

/** Loads openapi.yaml and compiles every request validator once. */
export function loadContract(path: URL | string = CONTRACT_PATH): Contract {
  const text = readFileSync(path, "utf8");
  const document = parseYaml(text) as Record<string, unknown>;
  const coercing = newAjv(true, document);
  const strict = newAjv(false, document);
  const operations: ContractOperation[] = [];
  const operationsById = new Map<string, { raw: Record<string, unknown> }>();
  const rootSecurity = document.security as Array<Record<string, unknown>> | undefined;

  for (const [path, item] of Object.entries(document.paths as Record<string, Record<string, unknown>>)) {
    for (const method of METHODS) {
      const raw = item[method] as Record<string, unknown> | undefined;
      if (!raw) continue;
      const operationId = raw.operationId as string;
      const parameters = ((raw.parameters as unknown[]) ?? []).map((p) => resolve(document, p) as ParameterObject);
      const group = (where: ParameterObject["in"]) => {
        const own = parameters.filter((p) => p.in === where);
        const properties = Object.fromEntries(own.map((p) => [where === "header" ? p.name.toLowerCase() : p.name, anchorRefs(p.schema)]));
        const required = own.filter((p) => p.required).map((p) => (where === "header" ? p.name.toLowerCase() : p.name));
        // Headers are open-ended; so is the query of an operation that takes none (a probe's `?x=1` is harmless).
        const open = where === "header" || (where === "query" && own.length === 0);
        const schema = { type: "object", properties, required, additionalProperties: open };
        return { validate: coercing.compile(schema), names: own.map((p) => p.name) };
      };
      const pathParams = group("path");
      const queryParams = group("query");
      // Reads are what clients repeat; a webhook's query (a body digest) is new every time.
      const queries = method === "get" ? new LRUCache<string, Readonly<Record<string, unknown>>>({ max: QUERY_MEMO_ENTRIES }) : undefined;
      const validQuery = (raw: Record<string, unknown>): Record<string, unknown> => {
        const query = copyOwn(raw);
        if (!queryParams.validate(query)) throw invalid(queryParams.validate.errors![0]!);
        rejectNonFinite(query, "");
        return query;
      };
      const headerParams = group("header");
      const requestBody = raw.requestBody ? (resolve(document, raw.requestBody) as Record<string, unknown>) : undefined;
      const bodyValidators = new Map(
        Object.entries((requestBody?.content as Record<string, { schema: object }> | undefined) ?? {}).map(
          ([mediaType, media]) => [mediaType, strict.compile(anchorRefs(media.schema))] as const,
        ),
      );
      const security = ((raw.security as Array<Record<string, unknown>> | undefined) ?? rootSecurity ?? []) as Array<Record<string, unknown>>;

      operationsById.set(operationId, { raw });
      operations.push({
        operationId,
        method,
        path,
        routerPath: path.replace(/\{(\w+)\}/g, ":$1"),
        roles: rolesOf(operationId, raw["x-roles"]),
        errorEnvelope: typeof raw["x-error-envelope"] === "string" ? (raw["x-error-envelope"] as string) : undefined,
        securityScheme: security.length > 0 ? Object.keys(security[0]!)[0] : undefined,
        surface: ((raw.tags as string[] | undefined) ?? [])[0] ?? "untagged",
        audit: auditDeclarationOf(operationId, raw["x-audit"]),
        bodyMediaTypes: [...bodyValidators.keys()],
        parseParameters(input) {
          const pathValues = copyOwn(input.path);
          if (!pathParams.validate(pathValues)) throw invalid(pathParams.validate.errors![0]!);
          const from = input.from;
          const key = queries && from?.querystring;
          let query: Readonly<Record<string, unknown>> | undefined = key === undefined ? undefined : queries!.get(key);
          if (!query) {
            query = validQuery(from ? from.query : (input.query ?? {}));
            if (key !== undefined && key.length <= QUERY_MEMO_MAX_KEY_LENGTH) queries!.set(key, freezeQuery(query));
          }
          rejectNonFinite(pathValues, "");
          const headers: Record<string, unknown> = {};
          for (const name of headerParams.names) {
            const value = input.headers[name.toLowerCase()];
            if (value !== undefined) headers[name.toLowerCase()] = value;
          }
          if (!headerParams.validate(headers)) {
            const error = headerParams.validate.errors![0]!;
            const name = headerParams.names.find((n) => `/${n.toLowerCase()}` === error.instancePath) ?? fieldOf(error);
            throw new AppError("validation_failed", `${name} ${error.message ?? "is invalid"}`, { field: name });
          }
          return { path: pathValues, query, headers };
        },
        parseBody(body, present, mediaType) {
          if (bodyValidators.size === 0) return undefined;
          // A multipart body is a stream of files: its handler reads and checks it part by part (nothing parsed it yet).
          if (mediaType === "multipart/form-data" && bodyValidators.has(mediaType)) return undefined;
          if (!present) {
            if (requestBody?.required) throw new AppError("validation_failed", "a request body is required", { field: "body" });
            return undefined;
          }
          const validate = mediaType ? bodyValidators.get(mediaType) : undefined;
          if (!validate)
            throw new AppError("unsupported_media_type", `request body must be ${[...bodyValidators.keys()].join(" or ")}`, { field: "body" });
          if (!validate(body)) throw invalid(validate.errors![0]!);
          rejectNonFinite(body, "");
          return body;
        },
      });
    }
  }

  const responseValidators = new Map<string, ValidateFunction | undefined>();
  const responseOf = (operationId: string, status: number) => {
    const raw = operationsById.get(operationId)?.raw;
    if (!raw) throw new Error(`unknown operation ${operationId}`);
    const responses = raw.responses as Record<string, unknown>;
    const declared = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
    return declared ? (resolve(document, declared) as Record<string, unknown>) : undefined;
  };

  return {
    document,
    text,
    operations,
    declaresStatus: (operationId, status) => responseOf(operationId, status) !== undefined,
    responseValidator(operationId, status) {
      const key = `${operationId} ${status}`;
      if (!responseValidators.has(key)) {
        const schema = (responseOf(operationId, status)?.content as Record<string, { schema: object }> | undefined)?.["application/json"]?.schema;
        responseValidators.set(key, schema ? strict.compile(anchorRefs(schema)) : undefined);
      }
      return responseValidators.get(key);
    },
  };
}

/** `x-roles`: a non-empty list of OWNER, ADMIN, AGENT; anything else stops the boot. */
function rolesOf(operationId: string, value: unknown): readonly Role[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every(isRole))
    throw new Error(`operation ${operationId}: x-roles must be a non-empty list of OWNER, ADMIN, AGENT`);
  return Object.freeze([...value]);
}
