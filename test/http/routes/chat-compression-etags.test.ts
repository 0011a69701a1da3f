import { request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { expect } from "chai";
import { createConversation, phoneNumbers } from "../../support/conversation-fixtures.js";
import { seedMessages } from "../../support/seed-messages.js";
import { startApp, type TestApp } from "../../support/start-app.js";

const BASE = "/api/v1/chat/conversations";

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The bytes as sent (before any decoding). */
  bytes: Buffer;
}

describe("chat API: compression and validators", () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(() => t.close());

  const nextPhone = phoneNumbers("+1555710");

  /** A GET with exactly these headers (fetch would decode the body and add its own Accept-Encoding). */
  const get = (path: string, headers: Record<string, string> = {}, tenant: "alpha" | "beta" = "alpha") =>
    new Promise<RawAnswer>((resolve, reject) => {
      const req = request(`${t.baseUrl}${path}`, { headers: { authorization: `Bearer ${t.token({ tenants: [tenant] })}`, ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: Buffer.concat(chunks) }));
      });
      req.on("error", reject);
      req.end();
    });

  const decoded = (answer: RawAnswer): unknown => {
    const encoding = answer.headers["content-encoding"];
    const bytes = encoding === "br" ? brotliDecompressSync(answer.bytes) : encoding === "gzip" ? gunzipSync(answer.bytes) : answer.bytes;
    return JSON.parse(bytes.toString("utf8"));
  };

  const expectContractBody = (operationId: string, body: unknown) => {
    const validate = t.app.contract.responseValidator(operationId, 200)!;
    expect(validate(body), JSON.stringify(validate.errors)).to.equal(true);
  };

  /** A conversation with enough messages that its page and the list pass the compression threshold. */
  let sid: string;
  before(async () => {
    for (let i = 0; i < 8; i++) ({ sid } = await createConversation(t, { name: `Compressed ${i}`, phone: nextPhone() }));
    await seedMessages(
      t,
      "alpha",
      sid,
      Array.from({ length: 20 }, (_, i) => `message ${i}: the parcel left the depot and reaches you tomorrow`),
    );
  });

  for (const [name, path, operationId] of [
    ["the conversation list", `${BASE}?limit=50`, "listConversations"],
    ["a page of messages", () => `${BASE}/${sid}/messages?limit=50`, "listMessages"],
  ] as const) {
    const url = () => (typeof path === "function" ? path() : path);
    describe(`GET ${name}`, () => {
      for (const coding of ["br", "gzip"] as const) {
        describe(`when the client accepts ${coding} only`, () => {
          it(`is sent with ${coding}, decoding to the answer sent uncompressed, as the contract declares it`, async () => {
            const plain = await get(url());
            const compressed = await get(url(), { "accept-encoding": coding });
            expect(plain.status).to.equal(200);
            expect(plain.headers["content-encoding"]).to.equal(undefined);
            expect(compressed.status).to.equal(200);
            expect(compressed.headers["content-encoding"]).to.equal(coding);
            expect(compressed.headers.vary).to.match(/accept-encoding/i);
            expect(compressed.bytes.length).to.be.lessThan(plain.bytes.length / 3);
            expect(decoded(compressed)).to.deep.equal(JSON.parse(plain.bytes.toString("utf8")));
            expectContractBody(operationId, decoded(compressed));
          });
        });
      }
      describe("when the client accepts both", () => {
        it("prefers brotli", async () => {
          const answer = await get(url(), { "accept-encoding": "gzip, deflate, br" });
          expect(answer.headers["content-encoding"]).to.equal("br");
        });
      });
      describe("when the client refuses every coding", () => {
        it("is sent as is", async () => {
          const answer = await get(url(), { "accept-encoding": "br;q=0, gzip;q=0" });
          expect(answer.headers["content-encoding"]).to.equal(undefined);
          expectContractBody(operationId, decoded(answer));
        });
      });
      describe("when If-None-Match names its current ETag", () => {
        it("is a 304 with no body and no audit line", async () => {
          const first = await get(url(), { "accept-encoding": "br" });
          const etag = first.headers.etag as string;
          expect(etag).to.match(/^"[A-Za-z0-9_-]+"$/);
          expect(first.headers["cache-control"]).to.equal("private, no-cache");
          const audited = t.auditRecords.length;
          const again = await get(url(), { "accept-encoding": "br", "if-none-match": `"other", ${etag}` });
          expect(again.status).to.equal(304);
          expect(again.bytes.length).to.equal(0);
          expect(again.headers.etag).to.equal(etag);
          expect(again.headers["content-encoding"]).to.equal(undefined);
          expect(t.auditRecords.length).to.equal(audited);
        });
      });
    });
  }

  describe("the headers of a hot read (a guard while its path is made cheaper)", () => {
    /** Helmet's policy, the validators and the coding: every answer of a hot read carries exactly these. */
    const SECURITY = {
      "content-security-policy":
        "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';frame-ancestors 'self';img-src 'self' data:;object-src 'none';script-src 'self';script-src-attr 'none';style-src 'self' https: 'unsafe-inline';upgrade-insecure-requests",
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-resource-policy": "same-origin",
      "origin-agent-cluster": "?1",
      "referrer-policy": "no-referrer",
      "strict-transport-security": "max-age=31536000; includeSubDomains",
      "x-content-type-options": "nosniff",
      "x-dns-prefetch-control": "off",
      "x-download-options": "noopen",
      "x-frame-options": "SAMEORIGIN",
      "x-permitted-cross-domain-policies": "none",
      "x-xss-protection": "0",
    };
    /** What a 200 and a 304 of a hot read both carry besides Date, X-Request-Id and ETag. */
    const VALIDATION = {
      "cache-control": "private, no-cache",
      vary: "Accept-Encoding",
      connection: "keep-alive",
      "keep-alive": "timeout=5",
    };
    /** Per answer: the same headers, values that change from answer to answer checked by shape. */
    const expectHeaders = (answer: RawAnswer, expected: Record<string, string>) => {
      const { date, "x-request-id": requestId, etag, ...rest } = answer.headers;
      expect(date).to.be.a("string");
      expect(requestId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(etag).to.match(/^"[A-Za-z0-9_-]{27}"$/);
      expect(rest).to.deep.equal({ ...VALIDATION, ...expected });
    };
    for (const [name, path] of [
      ["the conversation list", () => `${BASE}?limit=50`],
      ["a page of messages", () => `${BASE}/${sid}/messages?limit=50`],
    ] as const) {
      describe(`when ${name} is read warm as is, with br, with gzip and with a current If-None-Match`, () => {
        it("answers exactly the same header set as before", async () => {
          await get(path());
          const plain = await get(path());
          expectHeaders(plain, { ...SECURITY, "content-type": "application/json; charset=utf-8", "content-length": String(plain.bytes.length) });
          for (const coding of ["br", "gzip"]) {
            const compressed = await get(path(), { "accept-encoding": coding });
            expectHeaders(compressed, {
              ...SECURITY,
              "content-type": "application/json; charset=utf-8",
              "content-length": String(compressed.bytes.length),
              "content-encoding": coding,
            });
          }
        });
        it("answers a current If-None-Match with a lean 304: the 200's validator and caching fields (RFC 9110 §15.4.5), no security headers", async () => {
          const plain = await get(path());
          for (const headers of [{}, { "accept-encoding": "br" }] as Array<Record<string, string>>) {
            const notModified = await get(path(), { ...headers, "if-none-match": plain.headers.etag as string });
            expect(notModified.status).to.equal(304);
            expect(notModified.headers.etag).to.equal(plain.headers.etag);
            expectHeaders(notModified, {});
          }
        });
      });
    }
  });

  describe("ETags", () => {
    describe("when a conversation changes", () => {
      it("the list's, the conversation's and (for a new message) the messages page's ETags change", async () => {
        const before = {
          list: (await get(`${BASE}?limit=50`)).headers.etag,
          one: (await get(`${BASE}/${sid}`)).headers.etag,
          messages: (await get(`${BASE}/${sid}/messages?limit=50`)).headers.etag,
        };
        expect(before.one).to.be.a("string");
        expect((await get(`${BASE}/${sid}`, { "if-none-match": before.one as string })).status).to.equal(304);

        const patched = await t.api().patch(`${BASE}/${sid}/attributes`, { isStarred: true });
        expect(patched.status, patched.text).to.equal(200);
        const sent = await t.api().post(`${BASE}/${sid}/messages`, { body: "one more" });
        expect(sent.status, sent.text).to.equal(201);
        await t.emulator.whenIdle();

        const list = await get(`${BASE}?limit=50`, { "if-none-match": before.list as string });
        const one = await get(`${BASE}/${sid}`, { "if-none-match": before.one as string });
        const messages = await get(`${BASE}/${sid}/messages?limit=50`, { "if-none-match": before.messages as string });
        for (const answer of [list, one, messages]) {
          expect(answer.status).to.equal(200);
          expect(answer.headers.etag).to.be.a("string").and.not.equal(undefined);
        }
        expect(list.headers.etag).not.to.equal(before.list);
        expect(one.headers.etag).not.to.equal(before.one);
        expect(messages.headers.etag).not.to.equal(before.messages);
        expect((decoded(one) as { attributes: string }).attributes).to.include('"isStarred":true');
        expect((decoded(messages) as Array<{ body: string }>)[0]!.body).to.equal("one more");
      });
    });

    describe("when two tenants' answers are the same bytes", () => {
      it("their ETags differ, and one's never makes the other's a 304", async () => {
        const path = `${BASE}?search=${encodeURIComponent("nobody-by-this-name")}`;
        const alpha = await get(path, {}, "alpha");
        const beta = await get(path, {}, "beta");
        expect(alpha.bytes.toString()).to.equal("[]");
        expect(beta.bytes.toString()).to.equal("[]");
        expect(alpha.headers.etag).not.to.equal(beta.headers.etag);
        const crossed = await get(path, { "if-none-match": alpha.headers.etag as string }, "beta");
        expect(crossed.status).to.equal(200);
        expect(crossed.bytes.toString()).to.equal("[]");
      });
    });

    describe("when If-None-Match is sent without a valid token", () => {
      it("is refused before any validator is compared", async () => {
        const etag = (await get(`${BASE}?limit=50`)).headers.etag as string;
        const answer = await new Promise<number>((resolve, reject) => {
          const req = request(`${t.baseUrl}${BASE}?limit=50`, { headers: { "if-none-match": etag } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on("error", reject);
          req.end();
        });
        expect(answer).to.equal(401);
      });
    });
  });
});
