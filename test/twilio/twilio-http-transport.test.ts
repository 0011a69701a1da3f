import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { formEncode, TwilioHttpTransport, UpstreamTimeoutError } from "../../src/twilio/twilio-http-transport.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

describe("TwilioHttpTransport", () => {
  let server: Server;
  let baseUrl: string;
  let seen: Seen[];
  let answer: (seen: Seen) => { status: number; body?: string; headers?: Record<string, string>; delayMs?: number };
  const transport = new TwilioHttpTransport({ maxConnections: 4 });

  before(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (chunk: string) => (body += chunk));
      req.on("end", () => {
        const request = { method: req.method!, url: req.url!, headers: req.headers, body };
        seen.push(request);
        const { status, body: out = "", headers = {}, delayMs = 0 } = answer(request);
        setTimeout(() => res.writeHead(status, headers).end(out), delayMs);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    seen = [];
    answer = () => ({ status: 200, body: '{"ok":true}', headers: { "content-type": "application/json" } });
  });
  after(async () => {
    await transport.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("sends a form body with Basic auth and the SDK's headers, arrays as repeated keys", async () => {
    const response = await transport.send(
      {
        method: "post",
        uri: `${baseUrl}/v1/Conversations`,
        username: "AC123",
        password: "secret",
        headers: { "Content-Type": "application/x-www-form-urlencoded", "User-Agent": "twilio-node/x", Connection: "keep-alive" },
        data: { FriendlyName: "Ada & Bob", "MessagingBinding.Address": "+15550001", Attributes: ["a", "b"] },
      },
      `${baseUrl}/v1/Conversations`,
      1_000,
    );
    expect(response.statusCode).to.equal(200);
    expect(response.body).to.equal('{"ok":true}');
    expect(response.headers["content-type"]).to.equal("application/json");
    const [request] = seen;
    expect(request!.method).to.equal("POST");
    expect(request!.headers.authorization).to.equal(`Basic ${Buffer.from("AC123:secret").toString("base64")}`);
    expect(request!.headers["user-agent"]).to.equal("twilio-node/x");
    expect(Object.fromEntries(new URLSearchParams(request!.body))).to.deep.include({ FriendlyName: "Ada & Bob", "MessagingBinding.Address": "+15550001" });
    expect(new URLSearchParams(request!.body).getAll("Attributes")).to.deep.equal(["a", "b"]);
  });

  it("puts params in the query string and sends no body on a GET", async () => {
    await transport.send(
      { method: "get", uri: `${baseUrl}/v1/Conversations`, username: "AC1", password: "p", params: { PageSize: 50, Order: "desc" } },
      `${baseUrl}/v1/Conversations`,
      1_000,
    );
    expect(seen[0]!.url).to.equal("/v1/Conversations?PageSize=50&Order=desc");
    expect(seen[0]!.body).to.equal("");
  });

  it("sends JSON when the SDK asks for it, and an API key's auth strategy when there is no password", async () => {
    await transport.send(
      {
        method: "post",
        uri: `${baseUrl}/v1/x`,
        headers: { "Content-Type": "application/json" },
        data: { a: 1 },
        authStrategy: { getAuthString: async () => "Bearer abc" } as never,
      },
      `${baseUrl}/v1/x`,
      1_000,
    );
    expect(seen[0]!.body).to.equal('{"a":1}');
    expect(seen[0]!.headers.authorization).to.equal("Bearer abc");
  });

  it("returns error statuses and redirects as they are (the SDK decides)", async () => {
    answer = () => ({ status: 302, headers: { location: "/elsewhere" } });
    const redirect = await transport.send({ method: "get", uri: `${baseUrl}/a`, username: "u", password: "p" }, `${baseUrl}/a`, 1_000);
    expect(redirect.statusCode).to.equal(302);
    expect(seen).to.have.length(1);
    answer = () => ({ status: 429, body: '{"code":20429}', headers: { "retry-after": "2" } });
    const limited = await transport.send({ method: "get", uri: `${baseUrl}/a`, username: "u", password: "p" }, `${baseUrl}/a`, 1_000);
    expect(limited).to.deep.include({ statusCode: 429, body: '{"code":20429}' });
    expect(limited.headers["retry-after"]).to.equal("2");
  });

  it("gives up after the timeout with code ETIMEDOUT", async () => {
    answer = () => ({ status: 200, delayMs: 500 });
    const started = performance.now();
    const error = await transport
      .send({ method: "get", uri: `${baseUrl}/slow`, username: "u", password: "p" }, `${baseUrl}/slow`, 50)
      .then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(UpstreamTimeoutError);
    expect((error as UpstreamTimeoutError).code).to.equal("ETIMEDOUT");
    expect(performance.now() - started).to.be.below(400);
  });

  it("form-encodes dates as ISO strings and leaves out null and undefined", () => {
    expect(formEncode({ A: new Date("2026-01-02T03:04:05Z"), B: null, C: undefined, D: true })).to.equal("A=2026-01-02T03%3A04%3A05.000Z&D=true");
  });
});
