import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { loadConfig } from "../../src/config.js";
import { AppError } from "../../src/errors.js";
import { createTenantGateways } from "../../src/twilio/tenant-gateways.js";
import { excerptOf } from "../../src/twilio/unexpected-answer.js";
import type { ConversationsGateway } from "../../src/twilio/conversations-gateway.js";

const ACCOUNT_SID = `AC${"a".repeat(32)}`;
const AUTH_TOKEN = "auth-token-0123456789-must-never-show";
const SERVICE_SID = `IS${"b".repeat(32)}`;
const HTML = "<!doctype html>\n<html><head><title>Captive portal</title></head>\n<body>\u001b[31mPlease sign in\u0007</body></html>";

/** What the error says, its cause included (what operators read in the log line and the start-up error). */
const fullText = (error: AppError) => `${error.message} ${(error.cause as Error | undefined)?.message ?? ""}`;

describe("answers at Twilio's address that are not Twilio's", () => {
  let server: Server;
  let answer: (req: IncomingMessage) => { status: number; body: string; type: string };
  let gateway: ConversationsGateway;

  before(async () => {
    server = createServer((req, res) => {
      const { status, body, type } = answer(req);
      res.writeHead(status, { "content-type": type }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const config = loadConfig({ TWILIO_API_BASE_URL: baseUrl, UPSTREAM_RETRY_BASE_MS: "1", UPSTREAM_MAX_RETRIES: "1" });
    const tenant = { id: "alpha", accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, conversationsServiceSid: SERVICE_SID };
    gateway = createTenantGateways(config, [tenant]).get("alpha")!;
  });
  after(() => server.close());

  /** The start-up call (registering the webhook) against whatever `answer` returns. */
  const registrationError = async (): Promise<AppError> => {
    const error = await gateway.configurePostEventWebhook("https://inbox.example.com/hook", ["onMessageAdded"]).then(
      () => expect.fail("registration succeeded"),
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(AppError);
    return error as AppError;
  };

  for (const status of [400, 403, 404, 200]) {
    describe(`when an HTML page answers HTTP ${status}`, () => {
      it("keeps the status and a one-line excerpt, without control characters, and answers 503 (Twilio is not there)", async () => {
        answer = () => ({ status, body: HTML, type: "text/html" });
        const error = await registrationError();

        expect(error.status).to.equal(503);
        expect(error.message).to.contain(`HTTP ${status}`);
        expect(error.message).not.to.contain("undefined");
        expect(error.message, "clients read the message: no upstream page in it").not.to.contain("Captive");
        expect(fullText(error)).to.contain("<title>Captive portal</title>");
        expect(fullText(error)).not.to.match(/[\u0000-\u001f]/);
      });
    });
  }

  describe("when a JSON body that is not Twilio's answers 400 (the SDK's `message: undefined`)", () => {
    it("keeps the status and the body's excerpt, with the credentials it echoed cut out", async () => {
      answer = (req) => ({ status: 400, body: JSON.stringify({ error: "Bad Request", echo: req.headers.authorization, token: AUTH_TOKEN }), type: "application/json" });
      const error = await registrationError();

      expect(fullText(error)).to.contain("HTTP 400").and.to.contain("Bad Request");
      expect(fullText(error)).not.to.contain("undefined");
      expect(fullText(error)).not.to.contain(AUTH_TOKEN);
      expect(fullText(error)).not.to.contain(Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString("base64"));
    });
  });

  describe("when a 502 page answers through every retry", () => {
    it("is 503 with the status and excerpt in its cause", async () => {
      answer = () => ({ status: 502, body: "<html><body>Bad Gateway (nginx)</body></html>", type: "text/html" });
      const error = await registrationError();

      expect(error.status).to.equal(503);
      expect(fullText(error)).to.contain("HTTP 502").and.to.contain("Bad Gateway (nginx)");
    });
  });

  describe("when Twilio itself answers with its error body", () => {
    it("keeps Twilio's message and code, as before", async () => {
      answer = () => ({
        status: 404,
        body: JSON.stringify({ code: 20404, message: "The requested resource was not found", more_info: "https://www.twilio.com/docs/errors/20404", status: 404 }),
        type: "application/json",
      });
      const error = (await gateway.fetchConversation(`CH${"c".repeat(32)}`).catch((caught: unknown) => caught)) as AppError;

      expect(error.code).to.equal("not_found");
      expect(error.options.upstream?.twilioCode).to.equal(20404);
    });
  });
});

describe("excerptOf", () => {
  it("keeps at most 200 characters of one line", () => {
    const excerpt = excerptOf(`${"x".repeat(150)}\n\n\t${"y".repeat(150)}`, []);
    expect(excerpt).to.have.length(201);
    expect(excerpt).to.match(/^x{150} y{49}…$/);
  });

  it("replaces every secret, also when it would straddle the cut", () => {
    const secret = "s3cret-value-0123456789";
    expect(excerptOf(`${"a".repeat(190)}${secret} and ${secret}`, [secret])).not.to.contain("s3cret");
  });

  it("removes terminal escapes, bidi and zero-width characters", () => {
    expect(excerptOf("\u001b[2J\u202eevil\u200b\u0000page", [])).to.equal("[2J evil page");
  });
});
