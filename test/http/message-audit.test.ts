import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import Koa from "koa";
import { pino } from "pino";
import { errorHandler } from "../../src/http/error-handler.js";
import { disclosureOf, disclosureOfBody } from "../../src/http/message-audit.js";
import { loadContract } from "../../src/http/openapi-contract.js";
import { createOperationRouter, type OperationHandler } from "../../src/http/operation-router.js";
import type { AuditRecord } from "../../src/logger.js";
import { createConversation, inboundMessage } from "../support/conversation-fixtures.js";
import { startApp, type TestApp } from "../support/start-app.js";

type Schema = Record<string, any>;

/** Property names that hold a message's text (or a preview of it) in the contract's answers. */
const MESSAGE_CONTENT = new Set(["body", "content", "last_message"]);

describe("message audit (x-audit)", () => {
  const contract = loadContract();
  const document = contract.document as Schema;
  const deref = (schema: Schema): Schema => {
    let current = schema;
    while (current?.$ref) current = (current.$ref as string).slice(2).split("/").reduce((node: Schema, part: string) => node[part], document);
    return current;
  };

  /** Every place in a schema where message text can appear, as pointer tokens (`*` for array items). */
  const contentPaths = (schema: Schema, path: string[] = [], seen: string[] = []): string[][] => {
    if (!schema || typeof schema !== "object") return [];
    if (schema.$ref) return seen.includes(schema.$ref) ? [] : contentPaths(deref(schema), path, [...seen, schema.$ref]);
    const found: string[][] = [];
    for (const [name, inner] of Object.entries((schema.properties ?? {}) as Record<string, Schema>)) {
      if (MESSAGE_CONTENT.has(name)) found.push([...path, name]);
      found.push(...contentPaths(inner, [...path, name], seen));
    }
    if (schema.items) found.push(...contentPaths(schema.items, [...path, "*"], seen));
    for (const part of [...(schema.allOf ?? []), ...(schema.oneOf ?? []), ...(schema.anyOf ?? [])]) found.push(...contentPaths(part, path, seen));
    return found;
  };

  /** The schema a pointer's tokens reach, or undefined. */
  const schemaAt = (schema: Schema | undefined, tokens: string[]): Schema | undefined => {
    let current = schema && deref(schema);
    for (const token of tokens) {
      if (!current) return undefined;
      const parts = [current, ...((current.allOf ?? []) as Schema[]).map(deref)];
      current = token === "*" ? current.items && deref(current.items) : parts.map((part) => part.properties?.[token]).find(Boolean);
      if (current) current = deref(current);
    }
    return current;
  };

  const tokens = (pointer: string) => (pointer === "" ? [] : pointer.slice(1).split("/"));
  const successSchemas = (operationId: string): Schema[] => {
    const raw = Object.values(document.paths as Schema)
      .flatMap((item: Schema) => Object.values(item))
      .find((op: Schema) => op?.operationId === operationId) as Schema;
    return Object.entries(raw.responses as Schema)
      .filter(([status]) => status.startsWith("2"))
      .map(([, response]) => deref(response).content?.["application/json"]?.schema)
      .filter(Boolean);
  };

  describe("the contract", () => {
    it("marks every operation whose answer can hold message content with x-audit, and x-audit points at all of it", () => {
      const problems: string[] = [];
      for (const operation of contract.operations) {
        for (const schema of successSchemas(operation.operationId)) {
          for (const path of contentPaths(schema)) {
            const where = `/${path.join("/")}`;
            if (!operation.audit) problems.push(`${operation.operationId} answers message content at ${where} without x-audit`);
            else {
              const messages = tokens(operation.audit.messages);
              if (messages.some((token, i) => path[i] !== token)) problems.push(`${operation.operationId}: ${where} is outside x-audit's messages`);
            }
          }
        }
      }
      expect(problems).to.deep.equal([]);
    });

    it("has x-audit pointers that exist in the answer's schema, and only on operations that answer message content", () => {
      const audited = contract.operations.filter((operation) => operation.audit);
      expect(audited.map((operation) => operation.operationId)).to.include.members([
        "listMessages",
        "phpListMessages",
        "listStoredSms",
        "getStoredSms",
        "searchOrgMessages",
        "getOrgConversationByPhone",
      ]);
      for (const operation of audited) {
        const schemas = successSchemas(operation.operationId);
        expect(schemas.some((schema) => contentPaths(schema).length > 0), `${operation.operationId} holds no message content`).to.equal(true);
        for (const schema of schemas) {
          expect(schemaAt(schema, tokens(operation.audit!.messages)), `${operation.operationId} messages`).to.not.equal(undefined);
          const sid = schemaAt(schema, tokens(operation.audit!.conversationSid));
          expect(sid, `${operation.operationId} conversationSid`).to.not.equal(undefined);
          expect([sid!.type].flat(), `${operation.operationId} conversationSid`).to.include("string");
        }
      }
    });
  });

  describe("disclosureOf", () => {
    it("counts each message a pointer with `*` reaches, skipping nulls, and names each one's conversation once", () => {
      const body = [
        { sid: "CH1", latestMessage: { body: "a" } },
        { sid: "CH2", latestMessage: null },
        { sid: "CH3" },
        { sid: "CH4", latestMessage: { body: "b" } },
      ];
      expect(disclosureOf({ messages: "/*/latestMessage", conversationSid: "/*/sid" }, body)).to.deep.equal({ count: 2, conversationSids: ["CH1", "CH4"] });
      const page = [{ conversationSid: "CH1" }, { conversationSid: "CH1" }];
      expect(disclosureOf({ messages: "/*", conversationSid: "/*/conversationSid" }, page)).to.deep.equal({ count: 2, conversationSids: ["CH1"] });
    });

    it("reads one message at the root, and one conversation for a whole answer even when it holds no message", () => {
      expect(disclosureOf({ messages: "", conversationSid: "/conversationSid" }, { conversationSid: "CH9", body: "x" })).to.deep.equal({
        count: 1,
        conversationSids: ["CH9"],
      });
      expect(disclosureOf({ messages: "/messages/*", conversationSid: "/conversation/id" }, { conversation: { id: "CH7" }, messages: [] })).to.deep.equal({
        count: 0,
        conversationSids: ["CH7"],
      });
    });

    it("reads an answer already serialised (a cached page) as the value it holds", () => {
      const declaration = { messages: "/*", conversationSid: "/*/conversationSid" };
      const page = Buffer.from(JSON.stringify([{ conversationSid: "CH1" }]));
      expect(disclosureOfBody(declaration, page)).to.deep.equal({ count: 1, conversationSids: ["CH1"] });
      expect(disclosureOfBody(declaration, page)).to.deep.equal({ count: 1, conversationSids: ["CH1"] });
    });
  });

  describe("the operation router", () => {
    let server: Server;
    let records: AuditRecord[];
    const start = async (listMessages: OperationHandler) => {
      records = [];
      const stub: OperationHandler = () => ({ body: {} });
      const handlers = Object.fromEntries(contract.operations.map((operation) => [operation.operationId, stub]));
      const router = createOperationRouter(contract, { ...handlers, listMessages }, {
        verifyToken: () => ({ userId: "agent-9", tenantIds: ["alpha"], role: "AGENT", expiresAtMs: Date.now() + 60_000 }),
        webhookAuthenticators: { twilioSignature: () => ({}), sendgridSignature: () => ({}) },
        audit: (record) => records.push(record),
      });
      const koa = new Koa();
      koa.use(errorHandler(pino({ level: "silent" })));
      koa.use(router.routes());
      server = createServer(koa.callback());
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/chat/conversations/CH${"0".repeat(32)}/messages`;
    };
    afterEach(() => new Promise((resolve) => server.close(resolve)));

    describe("when an audited operation's handler does not say which tenant served it", () => {
      it("answers 500 without the messages and writes no line", async () => {
        const url = await start(() => ({ body: [{ conversationSid: "CH1", body: "secret text" }] }));
        const response = await fetch(url, { headers: { authorization: "Bearer x" } });
        expect(response.status).to.equal(500);
        expect(await response.text()).not.to.include("secret text");
        expect(records).to.deep.equal([]);
      });
    });

    describe("when it names its tenant", () => {
      it("writes one line naming user, tenant, API, operation, conversations and count, before answering", async () => {
        const url = await start((request) => {
          request.tenantId = "alpha";
          return { body: Buffer.from(JSON.stringify([{ conversationSid: "CH1", body: "secret text" }])), type: "application/json" };
        });
        const response = await fetch(url, { headers: { authorization: "Bearer x" } });
        expect(response.status).to.equal(200);
        expect(records).to.deep.equal([
          { action: "conversation.messages.read", userId: "agent-9", tenantId: "alpha", surface: "chat", operation: "listMessages", conversationSids: ["CH1"], count: 1 },
        ]);
      });
    });
  });

  describe("every surface that answers message content", () => {
    let t: TestApp;
    let sid: string;
    let other: string;
    const PHONE = "+15558100001";
    const TEXTS = ["my test results are in", "please call me back"];
    const take = () => t.auditRecords.splice(0);
    const line = (operation: string, surface: string, conversationSids: string[], count: number): AuditRecord => ({
      action: "conversation.messages.read",
      userId: "agent-1",
      tenantId: "alpha",
      surface,
      operation,
      conversationSids,
      count,
    });

    before(async () => {
      t = await startApp();
      ({ sid } = await createConversation(t, { name: "Audit", phone: PHONE }));
      for (const body of TEXTS) await inboundMessage(t, { from: PHONE, body });
      ({ sid: other } = await createConversation(t, { name: "Quiet", phone: "+15558100002" }));
      take();
    });
    after(() => t.close());
    afterEach(() => {
      // No line ever holds a message's text.
      expect(JSON.stringify(t.auditRecords)).not.to.match(/test results|call me back/);
    });

    it("chat API: a page of messages, again from the response cache, and the afterIndex catch-up", async () => {
      const page = `/api/v1/chat/conversations/${sid}/messages`;
      expect((await t.api().get(page)).body).to.have.length(2);
      expect((await t.api().get(page)).body).to.have.length(2);
      expect((await t.api().get(`${page}?afterIndex=0`)).body).to.have.length(1);
      expect(take()).to.deep.equal([line("listMessages", "chat", [sid], 2), line("listMessages", "chat", [sid], 2), line("listMessages", "chat", [sid], 1)]);
    });

    it("chat API: the conversation list and one conversation (their latest message)", async () => {
      const list = await t.api().get("/api/v1/chat/conversations");
      expect(list.status).to.equal(200);
      const [listed] = take();
      expect(listed).to.deep.include({ operation: "listConversations", surface: "chat", count: 1, conversationSids: [sid] });
      await t.api().get(`/api/v1/chat/conversations/${sid}`);
      await t.api().get(`/api/v1/chat/conversations/${other}`);
      expect(take()).to.deep.equal([line("getConversation", "chat", [sid], 1), line("getConversation", "chat", [other], 0)]);
    });

    it("PHP-compatible API: list_messages.php", async () => {
      const response = await t.api().get(`/twilio/list_messages.php?account_id=alpha&conversation_sid=${sid}`);
      expect(response.body.data.messages).to.have.length(2);
      expect(take()).to.deep.equal([line("phpListMessages", "php-compat", [sid], 2)]);
    });

    it("inbound SMS API: the stored SMS list and one stored SMS", async () => {
      const list = await t.api().get("/api/twilio/sms/stored");
      expect(list.body.count).to.equal(2);
      await t.api().get(`/api/twilio/sms/stored/${list.body.messages[0].id}`);
      expect(take()).to.deep.equal([line("listStoredSms", "sms", [sid], 2), line("getStoredSms", "sms", [sid], 1)]);
    });

    it("organization inbox API: the list, the search and the phone view", async () => {
      await t.api().get("/api/v1/conversations/alpha");
      const found = await t.api().get("/api/v1/conversations/alpha/search?q=results");
      expect(found.body.total_count).to.equal(1);
      await t.api().get(`/api/v1/conversations/alpha/phone/${encodeURIComponent(PHONE)}`);
      expect(take()).to.deep.equal([
        line("listOrgConversations", "org-inbox", [sid], 1),
        line("searchOrgMessages", "org-inbox", [sid], 1),
        line("getOrgConversationByPhone", "org-inbox", [sid], 2),
      ]);
    });

    it("writes nothing for an answer that holds no message: an error, another tenant's conversation", async () => {
      expect((await t.api().get(`/api/v1/chat/conversations/CH${"0".repeat(32)}/messages`)).status).to.equal(404);
      expect((await t.api("beta").get(`/api/v1/chat/conversations/${sid}/messages`)).status).to.equal(404);
      expect((await t.api().get("/api/v1/chat/conversations/nope/messages")).status).to.equal(400);
      expect(take()).to.deep.equal([]);
    });
  });
});
