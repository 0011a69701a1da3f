import type { Prng } from "./prng.js";
import type { Schema } from "./schema-samples.js";

/** One malformed value; `wire` is how to write it into a path segment when that differs from encoding `value`. */
export interface BadValue {
  name: string;
  value: unknown;
  wire?: string;
}

/** Characters that break naive handling: RTL override, zero-width, combining marks, astral emoji, full-width, NUL. */
const UNICODE = "aé\u202e\u200b\u0301😀𝕏ＣＨ\u0000\u2028\uFEFF中文";

/** `CH`, `MB`, `IM`… when the pattern is a Twilio SID's. */
function sidPrefix(pattern: string | undefined): string | undefined {
  return /^\^\(?([A-Z]{2})\[0-9a-fA-F\]\{32\}/.exec(pattern ?? "")?.[1];
}

/** Bad SIDs for a `prefix` SID: wrong prefix, case, length, alphabet, traversal, unicode, injection. */
export function badSids(prefix: string, rng: Prng): BadValue[] {
  const hex = rng.hex(32);
  const other = prefix === "CH" ? "MB" : "CH";
  // The first few are always sent, a seeded draw of the rest joins them.
  const sids: BadValue[] = [
    { name: "a SID with another resource's prefix", value: `${other}${hex}` },
    { name: "a SID one digit short", value: `${prefix}${hex.slice(1)}` },
    { name: "path traversal (encoded)", value: "../../healthz", wire: "..%2F..%2Fhealthz" },
    { name: "a SID with non-hex digits", value: `${prefix}${"g".repeat(32)}` },
    { name: "a SID with an unknown prefix", value: `XX${hex}` },
    { name: "a SID with a lowercase prefix", value: `${prefix.toLowerCase()}${hex}` },
    { name: "a SID one digit long", value: `${prefix}${hex}0` },
    { name: "a SID padded with spaces", value: ` ${prefix}${hex} ` },
    { name: "a SID with a trailing newline", value: `${prefix}${hex}\n` },
    { name: "a SID with a NUL byte", value: `${prefix}${hex}\u0000` },
    { name: "a SID in full-width letters", value: `ＣＨ${hex}` },
    { name: "a SID in Cyrillic look-alikes", value: `СН${hex}` },
    { name: "a SID with an RTL override", value: `${prefix}\u202e${hex}` },
    { name: "path traversal (double-encoded)", value: "%2e%2e%2f%2e%2e%2fhealthz", wire: "%252e%252e%252f%252e%252e%252fhealthz" },
    { name: "path traversal behind a SID", value: `${prefix}${hex}/../${prefix}${hex}`, wire: `${prefix}${hex}%2F..%2F${prefix}${hex}` },
    { name: "a dot-dot segment", value: "..", wire: ".." },
    { name: "SQL injection", value: `${prefix}${hex}' OR '1'='1` },
    { name: "a NoSQL operator", value: '{"$ne":null}' },
    { name: "a 4 KB SID", value: `${prefix}${"a".repeat(4096)}` },
  ];
  return rng.some(sids, 4, 1);
}

/** Strings that break a wire parameter (path, query, header, form field) of `schema`. */
export function badWireStrings(schema: Schema, rng: Prng): BadValue[] {
  const prefix = sidPrefix(schema.pattern);
  const values: BadValue[] = [
    { name: "a word", value: "fuzz" },
    { name: "infinity", value: "1e999" },
    { name: "an 8 KB string", value: "a".repeat(8 * 1024) },
    { name: "unicode", value: rng.string(24, UNICODE) },
    { name: "an empty string", value: "" },
    { name: "a negative number", value: "-1" },
    { name: "a fraction", value: "1.5" },
    { name: "a number beyond 64 bits", value: "99999999999999999999999" },
    { name: "a boolean", value: "true" },
    { name: "JSON", value: '{"a":[1]}' },
    { name: "a lone percent sign", value: "%", wire: "%" },
    { name: "CRLF injection", value: "fuzz\r\nX-Injected: 1" },
    ...(schema.enum ? [{ name: "an enum value in upper case", value: String(schema.enum[0]).toUpperCase() }] : []),
  ];
  return [...rng.some(values, 4, 1), ...(prefix ? badSids(prefix, rng) : [])];
}

/** Values of each JSON type; an array comes first, so every object field also gets one. */
const WRONG_TYPES: Array<[string, unknown, string]> = [
  ["an array", ["fuzz"], "array"],
  ["a number", 12345, "integer"],
  ["null", null, "null"],
  ["an object", { fuzz: 1 }, "object"],
  ["a boolean", true, "boolean"],
  ["a string", "fuzz", "string"],
  ["a fraction", 1.5, "number"],
];

/** JSON values that break a body field of `schema`: wrong types, then broken constraints, then bad SIDs. */
export function badJsonValues(schema: Schema, sample: unknown, rng: Prng): BadValue[] {
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const allows = (type: string) => types.includes(type) || (type === "integer" && types.includes("number"));
  const wrongTypes: BadValue[] = WRONG_TYPES.filter(([, , type]) => !allows(type)).map(([name, value]) => ({ name, value }));
  const broken: BadValue[] = [];
  if (allows("string") || schema.enum || schema.pattern) {
    broken.push({ name: "a 100 KB string", value: "a".repeat(100 * 1024) });
    if (typeof schema.maxLength === "number") broken.push({ name: "one character too long", value: "a".repeat(schema.maxLength + 1) });
    broken.push(
      { name: "unicode", value: rng.string(64, UNICODE) },
      { name: "an empty string", value: "" },
      { name: "a lone surrogate", value: "fuzz\ud800" },
      { name: "CRLF injection", value: "fuzz\r\nX-Injected: 1" },
      { name: "a word", value: "fuzz" },
    );
    if (schema.enum) broken.push({ name: "an enum value in upper case", value: String(schema.enum[0]).toUpperCase() });
    if (schema.format === "date-time") broken.push({ name: "an impossible date", value: "2024-02-30T25:61:00Z" });
  }
  if (allows("integer") || allows("number")) {
    if (typeof schema.minimum === "number") broken.push({ name: "below the minimum", value: schema.minimum - 1 });
    if (typeof schema.maximum === "number") broken.push({ name: "above the maximum", value: schema.maximum + 1 });
    broken.push({ name: "a huge number", value: 1e300 });
  }
  if (allows("array")) {
    if (typeof schema.maxItems === "number")
      broken.push({ name: "one item too many", value: Array.from({ length: schema.maxItems + 1 }, () => (Array.isArray(sample) ? sample[0] : "x") ?? "x") });
    broken.push({ name: "an array of null", value: [null] });
  }
  if (allows("object") && schema.additionalProperties === false) broken.push({ name: "an unknown property", value: { fuzzUnknown: true } });
  const prefix = sidPrefix(schema.pattern);
  const sids = prefix ? badSids(prefix, rng).map(({ name, value }) => ({ name, value })) : [];
  return [...rng.some(wrongTypes, 2, 1), ...rng.some(broken, 1, 1), ...sids];
}
