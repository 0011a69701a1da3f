import type { ContractOperation } from "../../src/http/openapi-contract.js";
import { resolveSchema, sampleValue, type SampleSource, type Schema } from "./schema-samples.js";

/** A request to one operation, before it is encoded, signed and sent. */
export interface RequestShape {
  operation: ContractOperation;
  /** Path parameters as written in the URL (already percent-encoded). */
  path: Record<string, string>;
  query: Record<string, string | string[]>;
  /** Header parameters, lower-case names. */
  headers: Record<string, string>;
  /** One of the operation's body media types; the body is encoded as that type. */
  mediaType?: string;
  body?: unknown;
  /** Bytes to send instead of the encoded body. */
  rawBody?: Buffer;
  /** Content-Type to send instead of `mediaType`; null sends none. */
  contentType?: string | null;
  /** Bearer token of bearerAuth operations. */
  token?: string;
}

/** Where a value sits in a request: a parameter, or a property path in the body. */
export interface Slot {
  in: "path" | "query" | "header" | "body";
  key: string[];
}

export interface ParameterObject {
  name: string;
  in: "path" | "query" | "header";
  required?: boolean;
  schema: Schema;
}

export function rawOperation(document: Record<string, any>, operation: ContractOperation): Record<string, any> {
  return document.paths[operation.path][operation.method];
}

export function parametersOf(document: Record<string, any>, operation: ContractOperation): ParameterObject[] {
  return ((rawOperation(document, operation).parameters ?? []) as Schema[]).map((p) => resolveSchema(document, p) as ParameterObject);
}

export function bodySchemaOf(document: Record<string, any>, operation: ContractOperation, mediaType: string): Schema {
  const requestBody = resolveSchema(document, rawOperation(document, operation).requestBody);
  return resolveSchema(document, requestBody.content[mediaType].schema);
}

const wireString = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value));

/** A valid request to `operation` (required parameters and fields only) made of `source`'s tenant and SIDs. */
export function baselineShape(
  document: Record<string, any>,
  operation: ContractOperation,
  source: SampleSource,
  token: string,
  mediaType = operation.bodyMediaTypes[0],
): RequestShape {
  const shape: RequestShape = { operation, path: {}, query: {}, headers: {}, token };
  for (const parameter of parametersOf(document, operation)) {
    if (!parameter.required) continue;
    const value = wireString(sampleValue(document, parameter.schema, parameter.name, source));
    if (parameter.in === "path") shape.path[parameter.name] = encodeURIComponent(value);
    else if (parameter.in === "query") shape.query[parameter.name] = value;
    else shape.headers[parameter.name.toLowerCase()] = value;
  }
  if (mediaType) {
    shape.mediaType = mediaType;
    shape.body = sampleValue(document, bodySchemaOf(document, operation, mediaType), "body", source);
  }
  return shape;
}

/** The body fields of `schema` worth breaking, with their schemas (nested objects and array items included). */
export function bodyFields(document: Record<string, any>, raw: Schema, key: string[] = [], depth = 0): Array<{ key: string[]; schema: Schema }> {
  const schema = resolveSchema(document, raw);
  if (depth >= 3) return [];
  if (schema.type === "array" && schema.items) return bodyFields(document, schema.items, [...key, "0"], depth + 1);
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  return Object.entries(properties).flatMap(([name, inner]) => {
    const resolved = resolveSchema(document, inner);
    return [{ key: [...key, name], schema: resolved }, ...bodyFields(document, resolved, [...key, name], depth + 1)];
  });
}

/** Every leaf value of a request, to find where two requests differ. */
export function slotsOf(shape: RequestShape): Slot[] {
  const leaves = (value: unknown, key: string[]): Slot[] =>
    value && typeof value === "object"
      ? Object.entries(value as Record<string, unknown>).flatMap(([name, inner]) => leaves(inner, [...key, name]))
      : [{ in: "body", key }];
  return [
    ...Object.keys(shape.path).map((name): Slot => ({ in: "path", key: [name] })),
    ...Object.keys(shape.query).map((name): Slot => ({ in: "query", key: [name] })),
    ...Object.keys(shape.headers).map((name): Slot => ({ in: "header", key: [name] })),
    ...(shape.body !== undefined ? leaves(shape.body, []) : []),
  ];
}

export function getSlot(shape: RequestShape, slot: Slot): unknown {
  if (slot.in !== "body") return (slot.in === "path" ? shape.path : slot.in === "query" ? shape.query : shape.headers)[slot.key[0]!];
  return slot.key.reduce<any>((node, part) => node?.[part], shape.body);
}

/** A copy of `shape` with the slot set to `value` (`undefined` removes it); missing parents are created. */
export function withSlot(shape: RequestShape, slot: Slot, value: unknown): RequestShape {
  const copy: RequestShape = { ...shape, path: { ...shape.path }, query: { ...shape.query }, headers: { ...shape.headers } };
  if (slot.in !== "body") {
    const target: Record<string, unknown> = slot.in === "path" ? copy.path : slot.in === "query" ? copy.query : copy.headers;
    if (value === undefined) delete target[slot.key[0]!];
    else target[slot.key[0]!] = value;
    return copy;
  }
  if (slot.key.length === 0) return { ...copy, body: value };
  copy.body = structuredClone(shape.body ?? {});
  let node: any = copy.body;
  slot.key.slice(0, -1).forEach((part, i) => {
    if (node[part] === null || typeof node[part] !== "object") node[part] = slot.key[i + 1] === "0" ? [] : {};
    node = node[part];
  });
  const last = slot.key.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

/** The slots whose values differ between two requests to the same operation. */
export function differingSlots(a: RequestShape, b: RequestShape): Slot[] {
  return slotsOf(a).filter((slot) => JSON.stringify(getSlot(a, slot)) !== JSON.stringify(getSlot(b, slot)));
}
