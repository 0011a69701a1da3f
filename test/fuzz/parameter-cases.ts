import { badWireStrings, type BadValue } from "./bad-values.js";
import { baselineFor, caseOf, type FuzzContext } from "./fuzz-context.js";
import type { FuzzCase } from "./fuzz-runner.js";
import { getSlot, parametersOf, withSlot, type Slot } from "./request-shape.js";
import { resolveSchema } from "./schema-samples.js";

const HEADER_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * How a bad value goes on the wire in a parameter: path segments percent-encoded (or as the value asks), header
 * values as Latin-1 bytes (UTF-8 text arrives as its bytes) and trimmed as HTTP trims them; CR, LF and NUL cannot be
 * sent in a header at all.
 */
function onWire(where: Slot["in"], bad: BadValue): string | undefined {
  const text = String(bad.value);
  if (where === "path") return bad.wire ?? encodeURIComponent(text);
  if (where !== "header") return text;
  const latin1 = Buffer.from(text, "utf8").toString("latin1").trim();
  return HEADER_SAFE.test(latin1) ? latin1 : undefined;
}

/** Every path, query and header parameter of every operation with wrong types, broken patterns and bad SIDs. */
export function* parameterCases(context: FuzzContext): Generator<FuzzCase> {
  for (const operation of context.operations) {
    const baseline = baselineFor(context, operation);
    for (const parameter of parametersOf(context.document, operation)) {
      const slot: Slot = { in: parameter.in, key: [parameter.in === "header" ? parameter.name.toLowerCase() : parameter.name] };
      for (const bad of badWireStrings(resolveSchema(context.document, parameter.schema), context.rng)) {
        const value = onWire(parameter.in, bad);
        // An empty path segment is another route (…/conversations/ is the list), not a bad parameter.
        if (value === undefined || (parameter.in === "path" && value === "")) continue;
        const category = /SID|traversal|dot-dot/.test(bad.name) ? "bad SIDs" : "parameters";
        yield caseOf(context, category, `${parameter.in} ${parameter.name}: ${bad.name}`, withSlot(baseline, slot, value));
      }
      if (parameter.in === "query") {
        const sample = getSlot(baseline, slot) ?? "fuzz";
        yield caseOf(context, "parameters", `query ${parameter.name}: repeated`, withSlot(baseline, slot, [String(sample), String(sample)]));
      }
      if (parameter.required && parameter.in !== "path") yield caseOf(context, "parameters", `${parameter.in} ${parameter.name}: missing`, withSlot(baseline, slot, undefined));
    }
    yield caseOf(context, "parameters", "an undeclared query parameter", withSlot(baseline, { in: "query", key: ["fuzzUnknown"] }, "1"));
  }
}
