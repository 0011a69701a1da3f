import { brotliCompressSync, gzipSync } from "node:zlib";
import type { ContractOperation } from "../../src/http/openapi-contract.js";
import { bodyBytes, contractAccepts } from "./encode-request.js";
import { baselineFor, caseOf, type FuzzContext } from "./fuzz-context.js";
import type { Expectation, FuzzCase } from "./fuzz-runner.js";
import type { RequestShape } from "./request-shape.js";

const JSON_TYPE = "application/json";
const FORM = "application/x-www-form-urlencoded";
const TWO_MB = 2 * 1024 * 1024;
const DEPTH = 10_000;

/** One raw body: the bytes on the wire, and the text the server decodes them to (for judging it). */
interface RawVariant {
  name: string;
  bytes: Buffer;
  /** What the server reads after charset and Content-Encoding; undefined when it cannot read it at all. */
  text: string | undefined;
  contentType: string | null;
  headers?: Record<string, string>;
}

/**
 * JSON as co-body reads it in strict mode: objects and arrays only, `__proto__` refused (@hapi/bourne's protoAction).
 * A `constructor.prototype` key is read as plain data (bourne 3 has no constructor check; JSON.parse pollutes nothing,
 * which the run's last check confirms), so the contract decides.
 */
function parseAsServer(text: string): { value: unknown } | undefined {
  if (text === "") return { value: undefined };
  if (!/^[\x20\x09\x0a\x0d]*[[{]/.test(text) || /"__proto__"\s*:/.test(text)) return undefined;
  try {
    return { value: JSON.parse(text) };
  } catch {
    return undefined;
  }
}

/** Whether the contract accepts what the server reads, so the case expects a 4xx or just an answer. */
function judge(operation: ContractOperation, baseline: RequestShape, variant: RawVariant): Expectation {
  const mediaType = operation.bodyMediaTypes.find((type) => type === variant.contentType?.split(";")[0]!.trim().toLowerCase());
  if (!mediaType || variant.text === undefined) return "rejected";
  // The body is decoded as iconv-lite does: a UTF-8 byte-order mark is dropped.
  const text = variant.text.replace(/^\ufeff/, "");
  const read: RequestShape = { ...baseline, mediaType, rawBody: Buffer.from(text, "utf8"), body: undefined };
  if (mediaType !== FORM) {
    const parsed = parseAsServer(text);
    if (!parsed) return "rejected";
    read.body = parsed.value;
  }
  return contractAccepts(read) ? "answered" : "rejected";
}

/** `text` with `insert` right after its first `{` (inside the first item of an array body). */
const insertFirst = (text: string, insert: string) => text.replace("{", `{${insert}`);
const nested = (open: string, inner: string, close: string) => `${open.repeat(DEPTH)}${inner}${close.repeat(DEPTH)}`;

function variants(json: string, form: string | undefined, firstKey: string | undefined): RawVariant[] {
  const utf8 = (name: string, text: string, contentType: string | null = JSON_TYPE): RawVariant => ({ name, bytes: Buffer.from(text, "utf8"), text, contentType });
  const bytes = (name: string, parts: Array<string | number[]>, contentType = JSON_TYPE): RawVariant => {
    const raw = Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part))));
    return { name, bytes: raw, text: new TextDecoder().decode(raw), contentType };
  };
  const [head, tail] = json.includes('":"') ? [json.slice(0, json.indexOf('":"') + 3), json.slice(json.indexOf('":"') + 3)] : [json, ""];
  const sent = [
    utf8("truncated JSON", json.slice(0, -1)),
    utf8("a trailing comma", json.replace(/}(\]?)$/, ",}$1")),
    utf8("single quotes", json.replace(/"/g, "'")),
    utf8("two JSON documents", `${json}${json}`),
    utf8("NaN", "NaN"),
    utf8("a JSON string", '"fuzz"'),
    utf8("a JSON number", "42"),
    utf8("JSON true", "true"),
    utf8("JSON null", "null"),
    utf8("whitespace only", " \n\t "),
    utf8("an empty body", ""),
    utf8("a NUL byte", "\u0000"),
    utf8("a byte-order mark", `\ufeff${json}`),
    bytes("invalid UTF-8 inside a string", [head, [0xff, 0xfe, 0xc3], tail]),
    bytes("an overlong UTF-8 slash inside a string", [head, [0xc0, 0xaf], tail]),
    bytes("a UTF-8-encoded surrogate inside a string", [head, [0xed, 0xa0, 0x80], tail]),
    bytes("invalid UTF-8 before the JSON", [[0xff, 0xfe], json]),
    // co-body reads JSON as UTF-8 whatever the charset says (RFC 8259 defines no charset parameter).
    { name: "UTF-16LE declared in the charset", bytes: Buffer.from(json, "utf16le"), text: new TextDecoder().decode(Buffer.from(json, "utf16le")), contentType: `${JSON_TYPE}; charset=utf-16le` },
    { name: "an unknown charset", bytes: Buffer.from(json), text: json, contentType: `${JSON_TYPE}; charset=fuzz-8` },
    utf8("deeply nested arrays", nested("[", "", "]")),
    utf8("deeply nested objects", nested('{"a":', "1", "}")),
    utf8("deep nesting in an unknown field", insertFirst(json, `"fuzzDeep":${nested("[", "", "]")},`)),
    utf8("a __proto__ key", insertFirst(json, '"__proto__":{"fuzzPolluted":true},')),
    utf8("a constructor.prototype key", insertFirst(json, '"constructor":{"prototype":{"fuzzPolluted":true}},')),
    utf8("100 KB of unknown field", insertFirst(json, `"fuzzPad":"${"a".repeat(100 * 1024)}",`)),
    ...(firstKey ? [utf8("a duplicate key with a wrong type", insertFirst(json, `"${firstKey}":12345,`).replace(/}(\]?)$/, `,"${firstKey}":12345}$1`))] : []),
    utf8("a 2 MB body", insertFirst(json, `"fuzzPad":"${"a".repeat(TWO_MB)}",`)),
    { name: "gzip garbage", bytes: Buffer.from("not gzip at all"), text: undefined, contentType: JSON_TYPE, headers: { "content-encoding": "gzip" } },
    { name: "deflate garbage", bytes: Buffer.from("not deflate at all"), text: undefined, contentType: JSON_TYPE, headers: { "content-encoding": "deflate" } },
    { name: "brotli garbage", bytes: Buffer.from([0xff, 0xff, 0xff, 0xff]), text: undefined, contentType: JSON_TYPE, headers: { "content-encoding": "br" } },
    { name: "gzip-compressed JSON", bytes: gzipSync(json), text: json, contentType: JSON_TYPE, headers: { "content-encoding": "gzip" } },
    { name: "a gzip bomb (2 MB inflated)", bytes: gzipSync(insertFirst(json, `"fuzzPad":"${" ".repeat(TWO_MB)}",`)), text: undefined, contentType: JSON_TYPE, headers: { "content-encoding": "gzip" } },
    { name: "a brotli bomb (2 MB inflated)", bytes: brotliCompressSync(insertFirst(json, `"fuzzPad":"${" ".repeat(TWO_MB)}",`)), text: undefined, contentType: JSON_TYPE, headers: { "content-encoding": "br" } },
    { name: "an unknown Content-Encoding", bytes: Buffer.from(json), text: undefined, contentType: JSON_TYPE, headers: { "content-encoding": "fuzz" } },
    ...["text/plain", "application/xml", "multipart/form-data; boundary=fuzz", "application/octet-stream", "application/json-patch+json", "application/vnd.api+json", "*/*", "application/json, text/plain", "APPLICATION/JSON", "application/json; charset=utf-8", ""].map((type) =>
      utf8(`Content-Type ${JSON.stringify(type)}`, json, type),
    ),
    utf8("no Content-Type", json, null),
    utf8("JSON sent as a form", json, FORM),
  ];
  if (form !== undefined) {
    sent.push(
      utf8("a form sent as JSON", form, JSON_TYPE),
      utf8("a form of stray separators", `%%%&&&===&${form}`, FORM),
      bytes("invalid UTF-8 in a form value", [form.replace(/=[^&]*/, "="), [0xff, 0xfe]], FORM),
      utf8("a form with every field twice", `${form}&${form}`, FORM),
      utf8("a form with __proto__ keys", `__proto__=x&constructor[prototype][fuzzPolluted]=1&${form}`, FORM),
      utf8("a 2 MB form", `${form}&fuzzPad=${"a".repeat(TWO_MB)}`, FORM),
    );
  }
  return sent.sort((a, b) => rank(a) - rank(b));
}

/** Sent to every operation; a seeded draw of the other variants joins them. */
const CORE = [
  "truncated JSON",
  "a JSON number",
  "invalid UTF-8 inside a string",
  "a 2 MB body",
  "gzip garbage",
  "deeply nested arrays",
  "a __proto__ key",
  'Content-Type "text/plain"',
  "no Content-Type",
  "a 2 MB form",
  "invalid UTF-8 in a form value",
];
const rank = (variant: RawVariant) => (CORE.includes(variant.name) ? CORE.indexOf(variant.name) : CORE.length);

/**
 * Every operation that takes a body, sent bodies a parser chokes on: broken JSON, scalars, invalid UTF-8, other
 * charsets, wrong content types and encodings, 2 MB, compression bombs, deep nesting, prototype keys.
 */
export function* rawBodyCases(context: FuzzContext): Generator<FuzzCase> {
  // Operations that take JSON or a form (a multipart-only upload, the contact import, is read part by part by its
  // handler and has its own hostile tests).
  for (const operation of context.operations.filter((op) => op.bodyMediaTypes.includes(JSON_TYPE) || op.bodyMediaTypes.includes(FORM))) {
    const json = operation.bodyMediaTypes.includes(JSON_TYPE) ? baselineFor(context, operation, JSON_TYPE) : undefined;
    const formShape = operation.bodyMediaTypes.includes(FORM) ? baselineFor(context, operation, FORM) : undefined;
    const baseline = (json ?? formShape)!;
    const body = json?.body ?? formShape?.body;
    const jsonText = JSON.stringify(body);
    const firstKey = Object.keys((Array.isArray(body) ? body[0] : body) ?? {})[0];
    const all = variants(jsonText, formShape ? bodyBytes(formShape)!.toString("utf8") : undefined, firstKey);
    for (const variant of context.rng.some(all, all.filter((v) => CORE.includes(v.name)).length, 7)) {
      const shape: RequestShape = {
        ...baseline,
        mediaType: variant.contentType ?? undefined,
        rawBody: variant.bytes,
        contentType: variant.contentType,
        headers: { ...baseline.headers, ...variant.headers },
      };
      yield caseOf(context, "raw bodies", variant.name, shape, judge(operation, baseline, variant));
    }
  }
}

/** Operations that take no body, sent one anyway (a GET with JSON, broken JSON, 2 MB): ignored or refused, never a 5xx. */
export function* unexpectedBodyCases(context: FuzzContext): Generator<FuzzCase> {
  for (const operation of context.operations.filter((op) => op.bodyMediaTypes.length === 0 && op.method === "get")) {
    const baseline = baselineFor(context, operation);
    const bodies: Array<[string, string]> = [
      ["a JSON body", '{"fuzz":1}'],
      ["a broken JSON body", '{"fuzz":'],
      ["a 2 MB body", `{"fuzz":"${"a".repeat(TWO_MB)}"}`],
    ];
    for (const [name, text] of bodies)
      yield caseOf(context, "raw bodies", `${operation.method.toUpperCase()} with ${name}`, { ...baseline, rawBody: Buffer.from(text), contentType: JSON_TYPE }, "answered");
  }
}
