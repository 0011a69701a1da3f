import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { expect } from "chai";

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** Starts the real entry point (emulator mode) and resolves once it prints its development token. */
async function startMain(port: number, env: Record<string, string>): Promise<{ child: ChildProcess; token: string; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { PATH: process.env.PATH, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", EMULATOR_SEED: "false", ...env },
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
      const exited = once(child, "exit");
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

  describe("when a configuration value is invalid", () => {
    it("exits 1 with one line naming the variable", async () => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
        env: { PATH: process.env.PATH, PORT: "not-a-port" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr!.on("data", (chunk) => (stderr += chunk));
      const [code] = await once(child, "exit");
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
      const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
        env: { PATH: process.env.PATH, NODE_ENV: "production", JWT_SECRET: "x".repeat(40), PORT: "0", ...twilioAccount },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr!.on("data", (chunk) => (stderr += chunk));
      const [code] = await once(child, "exit");
      expect(code).to.equal(1);
      expect(stderr.trim().split("\n")).to.have.length(1);
      expect(stderr).to.match(/^switchboard: configuration error: PUBLIC_BASE_URL: is required in production/);
    });
  });

  describe("when PUBLIC_BASE_URL is unset outside production", () => {
    it("starts, and warns at boot that webhook signatures rest on the request's Host", async () => {
      const port = await freePort();
      const { child, output } = await startMain(port, { NODE_ENV: "development", ...twilioAccount });
      const exited = once(child, "exit");
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
        const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
          env: {
            PATH: process.env.PATH,
            PORT: "0",
            HOST: "127.0.0.1",
            LOG_LEVEL: "silent",
            ...twilioAccount,
            TWILIO_API_BASE_URL: `http://127.0.0.1:${(page.address() as { port: number }).port}`,
            PUBLIC_BASE_URL: "https://inbox.example.com",
          },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr!.on("data", (chunk) => (stderr += chunk));
        const [code] = await once(child, "exit");
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

  describe("when NODE_ENV=production has no Twilio credentials", () => {
    it("refuses to start (no emulator in production)", async () => {
      const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
        env: { PATH: process.env.PATH, NODE_ENV: "production", JWT_SECRET: "x".repeat(40) },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr!.on("data", (chunk) => (stderr += chunk));
      const [code] = await once(child, "exit");
      expect(code).to.equal(1);
      expect(stderr).to.contain("TWILIO_ACCOUNT_SID: is required in production");
    });
  });
});
