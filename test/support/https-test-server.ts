import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A self-signed certificate (its own CA) for `names`, made by the openssl command line for this run only. */
export interface TestCertificate {
  key: string;
  cert: string;
}

let made: TestCertificate | undefined;

/** One certificate per run, valid for media.test and redirect.test (what the tests' resolver answers for). */
export function testCertificate(): TestCertificate {
  if (made) return made;
  const dir = mkdtempSync(join(tmpdir(), "switchboard-test-ca-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=media.test"]
        .concat(["-addext", "subjectAltName=DNS:media.test,DNS:redirect.test", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")]),
      { stdio: "ignore", timeout: 30_000 },
    );
    made = { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") };
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface HttpsTestServer {
  port: number;
  /** TCP connections accepted so far. */
  connections: number;
  /** Requests received: path and headers. */
  requests: Array<{ path: string; headers: IncomingMessage["headers"] }>;
  close(): Promise<void>;
}

/** An https server on a loopback address with the test certificate, counting connections; `handle` answers. */
export async function startHttpsTestServer(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  options: { host?: string; port?: number } = {},
): Promise<HttpsTestServer> {
  const server: Server = createServer(testCertificate(), (req, res) => {
    state.requests.push({ path: req.url ?? "", headers: req.headers });
    handle(req, res);
  });
  const state = { connections: 0, requests: [] as HttpsTestServer["requests"] };
  server.on("connection", () => state.connections++);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return state.connections;
    },
    requests: state.requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
