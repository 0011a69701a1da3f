import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
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
