import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer as createHttpServer } from "node:http";
import { createServer, type Server } from "node:net";
import { expect } from "chai";

/** `count` distinct free loopback ports (all held until every one is found). */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  for (let i = 0; i < count; i++) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push(server);
  }
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
const freePort = async () => (await freePorts(1))[0]!;

/** The client of `trickle`, run in a process of its own: nock's interceptor holds a socket's writes until it has seen a whole request. */
const TRICKLE_CLIENT = `
const { connect } = require("node:net");
const [port, head, drip, intervalMs, giveUpMs] = JSON.parse(process.argv[1]);
const socket = connect(port, "127.0.0.1");
let answer = "";
const done = (outcome) => { process.stdout.write(JSON.stringify({ outcome, answer })); process.exit(0); };
socket.on("error", () => {}); // a drip racing the server's close fails with EPIPE or ECONNRESET
socket.on("data", (chunk) => (answer += chunk));
socket.on("close", () => done("closed"));
socket.write(head);
setInterval(() => socket.writable && socket.write(drip), intervalMs);
setTimeout(() => done("stillOpen"), giveUpMs);
`;

/**
 * Opens a raw connection, sends `head`, then one more `drip` every `intervalMs` — a client that never finishes its
 * request. Resolves with what the server answered once it closed the connection, or with `stillOpen` after `giveUpMs`.
 */
async function trickle(port: number, head: string, drip: string, intervalMs: number, giveUpMs: number) {
  const child = spawn(process.execPath, ["-e", TRICKLE_CLIENT, JSON.stringify([port, head, drip, intervalMs, giveUpMs])], { stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  await once(child, "close");
  return JSON.parse(output) as { outcome: "closed" | "stillOpen"; answer: string };
}

/**
 * Runs the real entry point with `env` (and PATH) until it exits: its exit code and what it wrote to standard error.
 * (Every wait here is for "close", not "exit": the log's last lines, flushed as the process exits, may still be in the
 * pipe when "exit" fires.)
 */
async function runMainToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  // No operator listener unless asked: its default port may be taken by a gateway running on this machine.
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { env: { PATH: process.env.PATH, METRICS_PORT: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const [code] = (await once(child, "close")) as [number | null];
  return { code, stderr };
}

/** Starts the real entry point (emulator mode) and resolves once it prints its development token. */
async function startMain(port: number, env: Record<string, string>): Promise<{ child: ChildProcess; token: string; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { PATH: process.env.PATH, PORT: String(port), HOST: "127.0.0.1", METRICS_PORT: "0", LOG_LEVEL: "warn", EMULATOR_SEED: "false", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const token = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`main did not start:\n${output}`)), 20_000);
    const poll = setInterval(() => {
      const match = /export TOKEN=(\S+)/.exec(output);
      if (match) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]!);
      }
    }, 50);
  });
  return { child, token, output: () => output };
}

describe("src/main.ts", function () {
  this.timeout(40_000);

  describe("when it receives SIGTERM during a slow request", () => {
    it("finishes the in-flight request, refuses new connections and exits 0", async () => {
      const port = await freePort();
      // Every emulated Twilio call takes 700 ms, so the list below is still in flight at SIGTERM.
      const { child, token, output } = await startMain(port, { EMULATOR_LATENCY_MS: "700" });
      const inFlight = fetch(`http://127.0.0.1:${port}/api/v1/chat/conversations`, { headers: { authorization: `Bearer ${token}` } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const exited = once(child, "close");
      child.kill("SIGTERM");
      const response = await inFlight;
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.equal([]);
      const [code] = await exited;
      expect(code, output()).to.equal(0);
      const refused = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        () => "answered",
        () => "refused",
      );
      expect(refused).to.equal("refused");
    });
  });

  describe("when serving, with a metrics port and short request timeouts", () => {
    let main: Awaited<ReturnType<typeof startMain>>;
    let port: number;
    let metricsPort: number;
    before(async () => {
      [port, metricsPort] = (await freePorts(2)) as [number, number];
      main = await startMain(port, {
        METRICS_PORT: String(metricsPort),
        METRICS_HOST: "127.0.0.1",
        REQUEST_TIMEOUT_MS: "1000",
        HEADERS_TIMEOUT_MS: "1000",
      });
    });
    after(async () => {
      const exited = once(main.child, "close");
      main.child.kill("SIGTERM");
      await exited;
    });

    it("serves /metrics on METRICS_PORT only: the public port answers 404", async () => {
      const onPublic = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(onPublic.status).to.equal(404);
      expect(await onPublic.text()).not.to.contain("switchboard_");

      const onMetrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(onMetrics.status).to.equal(200);
      expect(await onMetrics.text()).to.match(/switchboard_upstream_circuit_open\{tenant="default"\} 0/);
    });

    it("answers the public /readyz with its status only, and names the tenants on METRICS_PORT", async () => {
      const onPublic = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(onPublic.status).to.equal(200);
      expect(await onPublic.json()).to.deep.equal({ status: "ready" });

      const onMetrics = await fetch(`http://127.0.0.1:${metricsPort}/readyz`);
      expect(await onMetrics.json()).to.deep.equal({ status: "ready", tenants: { default: "ok" } });
      expect((await fetch(`http://127.0.0.1:${metricsPort}/api/v1/chat/conversations`)).status).to.equal(404);
    });

    it("cuts off a request whose body trickles in (REQUEST_TIMEOUT_MS), long before Node's 300 s", async () => {
      const head = [
        "POST /api/v1/chat/conversations HTTP/1.1",
        `Host: 127.0.0.1:${port}`,
        `Authorization: Bearer ${main.token}`,
        "Content-Type: application/json",
        "Content-Length: 100000",
        "",
        '{"friendlyName":"',
      ].join("\r\n");

      const { outcome, answer } = await trickle(port, head, "a", 100, 20_000);

      expect(outcome, "the connection was still open after 20 s").to.equal("closed");
      expect(answer).to.match(/^HTTP\/1\.1 408 /);
    });

    it("cuts off a request whose headers trickle in (HEADERS_TIMEOUT_MS)", async () => {
      const { outcome, answer } = await trickle(port, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n", "X-Drip: a\r\n", 100, 20_000);

      expect(outcome, "the connection was still open after 20 s").to.equal("closed");
      expect(answer).to.match(/^HTTP\/1\.1 408 /);
    });
  });

  describe("when a configuration value is invalid", () => {
    it("exits 1 with one line naming the variable", async () => {
      const { code, stderr } = await runMainToExit({ PORT: "not-a-port" });
      expect(code).to.equal(1);
      expect(stderr.trim()).to.equal("switchboard: configuration error: PORT: must be integer");
    });
  });

  /** The entry point with a Twilio account (no Twilio call happens at boot without PUBLIC_BASE_URL). */
  const twilioAccount = {
    TWILIO_ACCOUNT_SID: `AC${"a".repeat(32)}`,
    TWILIO_AUTH_TOKEN: "auth-token-0123456789abcdef-0123456789",
    TWILIO_CHAT_SERVICE_SID: `IS${"b".repeat(32)}`,
  };

  describe("when NODE_ENV=production has no PUBLIC_BASE_URL", () => {
    it("exits 1 with one configuration-error line naming PUBLIC_BASE_URL", async () => {
      const { code, stderr } = await runMainToExit({ NODE_ENV: "production", JWT_SECRET: "x".repeat(40), PORT: "0", ...twilioAccount });
      expect(code).to.equal(1);
      expect(stderr.trim().split("\n")).to.have.length(1);
      expect(stderr).to.match(/^switchboard: configuration error: PUBLIC_BASE_URL: is required in production/);
    });
  });

  describe("when PUBLIC_BASE_URL is unset outside production", () => {
    it("starts, and warns at boot that webhook signatures rest on the request's Host", async () => {
      const port = await freePort();
      const { child, output } = await startMain(port, { NODE_ENV: "development", ...twilioAccount });
      const exited = once(child, "close");
      child.kill("SIGTERM");
      await exited;
      const warning = output()
        .split("\n")
        .find((line) => line.includes("PUBLIC_BASE_URL IS NOT SET"));
      expect(warning, output()).to.be.a("string");
      expect(JSON.parse(warning!)).to.include({ level: 40 });
      expect(warning).to.contain("Host");
    });
  });

  describe("when something that is not Twilio answers at Twilio's address at start-up", () => {
    it("exits 1 with the HTTP status and an excerpt of what came back, never `undefined` or the auth token", async () => {
      const page = createHttpServer((_req, res) => res.writeHead(404, { "content-type": "text/html" }).end("<html><title>Captive portal</title>\n<body>Sign in</body></html>"));
      await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
      try {
        const { code, stderr } = await runMainToExit({
          PORT: "0",
          HOST: "127.0.0.1",
          LOG_LEVEL: "silent",
          ...twilioAccount,
          TWILIO_API_BASE_URL: `http://127.0.0.1:${(page.address() as { port: number }).port}`,
          PUBLIC_BASE_URL: "https://inbox.example.com",
        });
        expect(code).to.equal(1);
        expect(stderr.trim().split("\n")).to.have.length(1);
        expect(stderr).to.match(/^switchboard: failed to start: .*HTTP 404.*<title>Captive portal<\/title> <body>Sign in/);
        expect(stderr).not.to.contain("undefined");
        expect(stderr).not.to.contain(twilioAccount.TWILIO_AUTH_TOKEN);
      } finally {
        page.close();
      }
    });
  });

  describe("when the port it is to listen on is taken (a second instance beside the first)", () => {
    let taken: ReturnType<typeof createHttpServer>;
    let port: number;
    beforeEach(async () => {
      taken = createHttpServer();
      await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
      port = (taken.address() as { port: number }).port;
    });
    afterEach(() => taken.close());

    it("exits 1 with one line naming PORT and what to do", async () => {
      const { code, stderr } = await runMainToExit({ PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "silent", EMULATOR_SEED: "false" });
      expect(code).to.equal(1);
      expect(stderr.trim().split("\n")).to.have.length(1);
      expect(stderr).to.match(new RegExp(`^switchboard: failed to start: PORT ${port}: 127\\.0\\.0\\.1:${port} is already in use .*set PORT to a free port`));
    });

    it("names METRICS_PORT when the operator endpoints' port is the one taken", async () => {
      const { code, stderr } = await runMainToExit({ PORT: "0", HOST: "127.0.0.1", METRICS_PORT: String(port), METRICS_HOST: "127.0.0.1", LOG_LEVEL: "silent", EMULATOR_SEED: "false" });
      expect(code).to.equal(1);
      expect(stderr).to.match(new RegExp(`^switchboard: failed to start: METRICS_PORT ${port}: .*set METRICS_PORT to a free port \\(or 0: no operator endpoints\\)`));
    });
  });

  describe("when NODE_ENV=production has no Twilio credentials", () => {
    it("refuses to start (no emulator in production)", async () => {
      const { code, stderr } = await runMainToExit({ NODE_ENV: "production", JWT_SECRET: "x".repeat(40) });
      expect(code).to.equal(1);
      expect(stderr).to.contain("TWILIO_ACCOUNT_SID: is required in production");
    });
  });
});
