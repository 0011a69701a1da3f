import { badJsonValues, badWireStrings } from "./bad-values.js";
import { baselineFor, caseOf, type FuzzContext } from "./fuzz-context.js";
import type { FuzzCase } from "./fuzz-runner.js";
import { bodyFields, bodySchemaOf, getSlot, withSlot, type Slot } from "./request-shape.js";
import { resolveSchema } from "./schema-samples.js";

const FORM = "application/x-www-form-urlencoded";

/**
 * Every body field of every operation (in each media type it accepts) with wrong types, huge and unicode strings,
 * bad SIDs, broken constraints, missing when required; plus unknown fields and an array where an object belongs.
 */
export function* bodyCases(context: FuzzContext): Generator<FuzzCase> {
  for (const operation of context.operations) {
    for (const [index, mediaType] of operation.bodyMediaTypes.entries()) {
      const baseline = baselineFor(context, operation, mediaType);
      const schema = bodySchemaOf(context.document, operation, mediaType);
      const label = (name: string) => `${mediaType === FORM ? "form" : "JSON"} ${name}`;
      // Form bodies carry only strings, one level deep.
      const fields = bodyFields(context.document, schema).filter((field) => mediaType !== FORM || field.key.length === 1);
      for (const field of fields) {
        const slot: Slot = { in: "body", key: field.key };
        const sample = getSlot(baseline, slot);
        const bad =
          mediaType === FORM
            ? [...badWireStrings(field.schema, context.rng), { name: "a 100 KB string", value: "a".repeat(100 * 1024) }]
            : badJsonValues(field.schema, sample, context.rng);
        // A second media type of the same schema gets a seeded sample of what the first got in full.
        for (const { name, value } of index === 0 ? bad : context.rng.some(bad, 1, 2)) {
          const category = /SID|traversal|dot-dot/.test(name) ? "bad SIDs" : "body fields";
          yield caseOf(context, category, label(`${field.key.join(".")}: ${name}`), withSlot(baseline, slot, value));
        }
        if (sample !== undefined) yield caseOf(context, "body fields", label(`${field.key.join(".")}: missing`), withSlot(baseline, slot, undefined));
      }
      const root = resolveSchema(context.document, schema);
      const itemsRoot = root.type === "array" ? ["0"] : [];
      yield caseOf(context, "body fields", label("an unknown field"), withSlot(baseline, { in: "body", key: [...itemsRoot, "fuzzUnknown"] }, "1"));
      if (mediaType !== FORM) {
        yield caseOf(context, "body fields", label("the body wrapped in an array"), { ...baseline, body: [baseline.body] });
        yield caseOf(context, "body fields", label("an empty object"), { ...baseline, body: {} });
        yield caseOf(context, "body fields", label("an empty array"), { ...baseline, body: [] });
        if (root.type === "array") yield caseOf(context, "body fields", label("an object where the array belongs"), { ...baseline, body: (baseline.body as unknown[])[0] });
      }
    }
  }
}
