/** A JSON Schema object of the contract, as parsed from openapi.yaml. */
export type Schema = Record<string, any>;

/** Follows `$ref`s (`#/components/...`) until a schema proper. */
export function resolveSchema(document: Record<string, unknown>, schema: Schema | undefined): Schema {
  let current: Schema = schema ?? {};
  while (typeof current.$ref === "string") {
    current = (current.$ref as string)
      .slice(2)
      .split("/")
      .reduce<any>((node, part) => node?.[part], document) as Schema;
  }
  return current;
}

/** The values a request of one tenant is made of: the tenant itself, its numbers and the SIDs it names. */
export interface SampleSource {
  tenantName: string;
  accountSid: string;
  serviceSid: string;
  /** The tenant's own SMS number (a webhook's `To`, a participant's proxy address). */
  senderPhone: string;
  conversationSid: string;
  participantSid: string;
  messageSid: string;
  storedSmsId: string;
  customerPhone: string;
  smsSid: string;
}

/** Fields whose meaning a pattern cannot tell, by name. */
function byName(name: string, source: SampleSource): unknown {
  if (name === "To" || name === "proxy_address") return source.senderPhone;
  if (name === "tenantId") return source.tenantName;
  return undefined;
}

/** Sample strings in order of preference: the first one a pattern accepts is the sample for it. */
function candidates(source: SampleSource): string[] {
  return [
    source.tenantName,
    source.conversationSid,
    source.participantSid,
    source.messageSid,
    source.storedSmsId,
    source.customerPhone,
    source.smsSid,
    source.accountSid,
    source.serviceSid,
    `DY${"0".repeat(32)}`,
    `US${"0".repeat(32)}`,
    `ME${"0".repeat(32)}`,
    `HX${"0".repeat(32)}`,
    String(Math.floor(Date.now() / 1000)),
    "0".repeat(64),
    "2024-01-01",
    "swagger-ui.css",
    "en",
    "0",
  ];
}

function sampleString(schema: Schema, name: string, source: SampleSource): string {
  if (typeof schema.pattern === "string") {
    const pattern = new RegExp(schema.pattern, "u");
    const found = candidates(source).find((candidate) => pattern.test(candidate));
    if (found === undefined) throw new Error(`no sample for ${name} (pattern ${schema.pattern}): add one to test/fuzz/schema-samples.ts`);
    return found;
  }
  if (schema.format === "email") return "fuzz@example.com";
  if (schema.format === "date-time") return new Date().toISOString();
  return "fuzz".padEnd(schema.minLength ?? 0, "z");
}

/**
 * A valid value for `schema` (required properties only, plus what `anyOf`/`minProperties` demand), made of the
 * source's tenant and SIDs, so a request built from samples is valid and names real (or chosen) resources.
 */
export function sampleValue(document: Record<string, unknown>, raw: Schema | undefined, name: string, source: SampleSource): unknown {
  const schema = resolveSchema(document, raw);
  const named = byName(name, source);
  if (named !== undefined) return named;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === "string") return sampleString(schema, name, source);
  if (type === "integer" || type === "number") return schema.default ?? schema.minimum ?? 1;
  if (type === "boolean") return true;
  if (type === "array") return Array.from({ length: schema.minItems ?? 0 }, () => sampleValue(document, schema.items, name, source));
  if (type === "object" || schema.properties) return sampleObject(document, schema, source);
  throw new Error(`no sample for ${name}: ${JSON.stringify(schema)}`);
}

function sampleObject(document: Record<string, unknown>, schema: Schema, source: SampleSource): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const names = new Set<string>([...(schema.required ?? []), ...((schema.anyOf?.[0]?.required as string[] | undefined) ?? [])]);
  for (const name of Object.keys(properties)) {
    if (byName(name, source) !== undefined) names.add(name);
    if (names.size < (schema.minProperties ?? 0)) names.add(name);
  }
  return Object.fromEntries([...names].map((name) => [name, sampleValue(document, properties[name], name, source)]));
}
