/** A form body as flat fields: keys as sent (dots and brackets are part of the name), repeated keys as arrays. */
export type FlatForm = Record<string, string | string[]>;

/**
 * Parses `application/x-www-form-urlencoded` the WHATWG way (Node's URLSearchParams): `+` is a space, bad percent
 * escapes stay as they are. Every form this gateway takes is a Twilio webhook, whose signature is computed over
 * exactly these flat fields, so nothing is nested the way qs would (`a[b]=1` stays the key `a[b]`).
 */
export function parseFlatForm(body: string): FlatForm {
  const fields: FlatForm = Object.create(null) as FlatForm;
  for (const [key, value] of new URLSearchParams(body)) {
    const existing = fields[key];
    if (existing === undefined) fields[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else fields[key] = [existing, value];
  }
  return fields;
}
