import { expect } from "chai";
import { createRequire } from "node:module";
import { AppError } from "../../src/errors.js";
import { loadContract, type ContractOperation } from "../../src/http/openapi-contract.js";

// Koa's own query parser: its objects are what the router hands parseParameters.
const { parse: parseKoaQuery } = createRequire(import.meta.url)("koa/lib/search-params.js") as {
  parse: (query: string) => Record<string, unknown>;
};

describe("openapi-contract", () => {
  const contract = loadContract();
  const operation = (method: string, path: string): ContractOperation =>
    contract.operations.find((o) => o.method === method && o.path === path)!;
  const listConversations = operation("get", "/api/v1/chat/conversations");
  const parseQuery = (query: string) => listConversations.parseParameters({ path: {}, query: parseKoaQuery(query), headers: {} }).query;
  const rejection = (query: string): AppError => {
    try {
      parseQuery(query);
    } catch (error) {
      expect(error).to.be.instanceOf(AppError);
      return error as AppError;
    }
    throw new Error(`?${query} was accepted`);
  };

  describe("parseParameters", () => {
    it("coerces query values to their schema types and fills defaults, leaving the input untouched", () => {
      const input = parseKoaQuery("limit=20&filter=unread");
      const query = listConversations.parseParameters({ path: {}, query: input, headers: {} }).query;
      expect(query).to.deep.equal({ limit: 20, offset: 0, filter: "unread" });
      expect(input).to.deep.equal({ limit: "20", filter: "unread" });
    });

    it("names an unknown query parameter", () => {
      const error = rejection("limit=20&colour=red");
      expect(error.code).to.equal("validation_failed");
      expect(error.options.field).to.equal("colour");
    });

    it("names a `__proto__` query parameter as unknown and does not let it reach the copy's prototype", () => {
      const error = rejection("__proto__=a&__proto__=b");
      expect(error.options.field).to.equal("__proto__");
      expect(Object.getPrototypeOf(parseQuery("limit=1"))).to.equal(Object.prototype);
    });

    it("refuses a number that coerces to Infinity, naming it", () => {
      const error = rejection("limit=1e999");
      expect(error.options.field).to.equal("limit");
    });

    describe("when given the raw query string (as the router does)", () => {
      const from = (querystring: string, onParse = () => {}) => ({
        querystring,
        get query() {
          onParse();
          return parseKoaQuery(querystring);
        },
      });
      const parseRaw = (raw: string) => listConversations.parseParameters({ path: {}, from: from(raw), headers: {} }).query;

      it("answers a query string seen before with the same coerced values, frozen, without parsing it again", () => {
        const first = parseRaw("limit=7&filter=unread");
        let parsed = 0;
        const again = listConversations.parseParameters({ path: {}, from: from("limit=7&filter=unread", () => parsed++), headers: {} }).query;
        expect(again).to.deep.equal({ limit: 7, offset: 0, filter: "unread" });
        expect(parsed).to.equal(0);
        expect(Object.isFrozen(first)).to.equal(true);
        expect(() => {
          (first as Record<string, unknown>).limit = 500;
        }).to.throw(TypeError);
        expect(parseRaw("limit=7&filter=unread").limit).to.equal(7);
      });

      it("refuses an invalid query string every time, with the same 400", () => {
        for (let i = 0; i < 3; i++) {
          try {
            parseRaw("limit=nope");
            expect.fail("accepted");
          } catch (error) {
            expect(error).to.be.instanceOf(AppError);
            expect((error as AppError).options.field).to.equal("limit");
          }
        }
      });

      it("keeps another operation's memo apart: the same string is judged by each operation's own schema", () => {
        const listMessages = operation("get", "/api/v1/chat/conversations/{sid}/messages");
        expect(parseRaw("limit=50").limit).to.equal(50);
        const sid = "CH" + "0".repeat(32);
        expect(() => listMessages.parseParameters({ path: { sid }, from: from("filter=unread"), headers: {} })).to.throw(AppError);
        expect(parseRaw("filter=unread").filter).to.equal("unread");
      });
    });

    it("validates path parameters against their pattern", () => {
      const getConversation = operation("get", "/api/v1/chat/conversations/{sid}");
      expect(() => getConversation.parseParameters({ path: { sid: "not-a-sid" }, query: {}, headers: {} })).to.throw(AppError);
      const sid = "CH" + "0".repeat(32);
      expect(getConversation.parseParameters({ path: { sid }, query: {}, headers: {} }).path).to.deep.equal({ sid });
    });
  });

  describe("declaresStatus (what the tests' client holds every answer to)", () => {
    it("declares only the listed statuses: no 404 for a Twilio webhook, no ranges or default", () => {
      const declared = (operationId: string) => [200, 201, 204, 400, 401, 403, 404, 409, 413, 415, 429, 500, 502, 503].filter((status) => contract.declaresStatus(operationId, status));
      expect(declared("receiveConversationWebhook")).to.deep.equal([200, 400, 403, 413, 415, 503]);
      expect(declared("receiveSmsStatus")).to.deep.equal([200, 400, 403, 413, 415, 503]);
    });
  });
});
