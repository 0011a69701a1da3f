/**
 * Where an operation's answer carries message content, as its `x-audit` in openapi.yaml says: two JSON pointers
 * into the 2xx body, in which `*` stands for every item of an array. `messages` points at each message (or message
 * preview) the answer holds; `conversationSid` at the SID of its conversation — its `*`s take the same items as
 * the message's, and without a `*` it names one conversation for the whole answer.
 */
export interface AuditDeclaration {
  messages: string;
  conversationSid: string;
}

/** What one answer disclosed: how many messages, of which conversations (never their text). */
export interface Disclosure {
  count: number;
  conversationSids: string[];
}

const tokensOf = (pointer: string) =>
  pointer === "" ? [] : pointer.slice(1).split("/").map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));

/** Every value `tokens` reaches in `value`, with the array indexes its `*`s took. */
function* resolve(value: unknown, tokens: string[], taken: string[] = []): Generator<{ value: unknown; taken: string[] }> {
  if (tokens.length === 0) {
    yield { value, taken };
    return;
  }
  if (value === null || typeof value !== "object") return;
  const [token, ...rest] = tokens as [string, ...string[]];
  if (token === "*") {
    if (!Array.isArray(value)) return;
    for (const [index, item] of value.entries()) yield* resolve(item, rest, [...taken, String(index)]);
    return;
  }
  if (Object.hasOwn(value, token)) yield* resolve((value as Record<string, unknown>)[token], rest, taken);
}

/** The pointer's `*`s replaced, in order, by the indexes a message's pointer took. */
function bind(tokens: string[], taken: string[]): string[] {
  let next = 0;
  return tokens.map((token) => (token === "*" ? (taken[next++] ?? token) : token));
}

/** Reads what a JSON answer disclosed, as its declaration describes. */
export function disclosureOf(declaration: AuditDeclaration, body: unknown): Disclosure {
  const messageTokens = tokensOf(declaration.messages);
  const sidTokens = tokensOf(declaration.conversationSid);
  const sids = new Set<string>();
  const addSid = (tokens: string[]) => {
    for (const { value } of resolve(body, tokens)) if (typeof value === "string") sids.add(value);
  };
  let count = 0;
  for (const { value, taken } of resolve(body, messageTokens)) {
    if (value === null || value === undefined) continue; // "no latest message" discloses nothing
    count += 1;
    addSid(bind(sidTokens, taken));
  }
  // One conversation for the whole answer (the phone view): named even when it holds no message yet.
  if (!sidTokens.includes("*")) addSid(sidTokens);
  return { count, conversationSids: [...sids] };
}

/** Answers already read, by identity: a page served again from the response cache is the same Buffer. */
const readBuffers = new WeakMap<AuditDeclaration, WeakMap<Buffer, Disclosure>>();

/** Like `disclosureOf`, for a body as the handler returned it: a value, or JSON already serialised. */
export function disclosureOfBody(declaration: AuditDeclaration, body: unknown): Disclosure {
  if (typeof body === "string") return disclosureOf(declaration, JSON.parse(body));
  if (!Buffer.isBuffer(body)) return disclosureOf(declaration, body);
  let known = readBuffers.get(declaration);
  if (!known) readBuffers.set(declaration, (known = new WeakMap()));
  let disclosure = known.get(body);
  if (!disclosure) known.set(body, (disclosure = disclosureOf(declaration, JSON.parse(body.toString("utf8")))));
  return disclosure;
}
