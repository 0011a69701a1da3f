import { IncomingMessage, ServerResponse, type RequestListener } from "node:http";
import { Duplex } from "node:stream";
import { startApp } from "../support/start-app.js";
import { ACCOUNTS_ENV, signUp } from "../support/accounts.js";
class SinkSocket extends Duplex { readonly remoteAddress = "127.0.0.1"; override _read(): void {} override _write(_c: unknown, _e: BufferEncoding, done: () => void): void { done(); } }
function inject(listener: RequestListener, path: string, headers: Record<string, string>): Promise<ServerResponse> {
  return new Promise((resolve) => {
    const socket = new SinkSocket();
    const request = new IncomingMessage(socket as never);
    Object.assign(request, { method: "GET", url: path, headers: { host: "127.0.0.1", ...headers }, httpVersion: "1.1", httpVersionMajor: 1, httpVersionMinor: 1 });
    request.push(null);
    const response = new ServerResponse(request);
    response.assignSocket(socket as never);
    response.on("finish", () => { response.detachSocket(socket as never); resolve(response); });
    listener(request, response);
  });
}
const app = await startApp({ env: { ...ACCOUNTS_ENV, RATE_LIMIT_PER_USER_PER_MINUTE: "1000000000", RATE_LIMIT_PER_IP_PER_MINUTE: "1000000000" } });
const grant = await signUp(app.api("alpha"), "you@acme.example");
const path = "/api/v1/chat/conversations?limit=50";
for (const [name, auth] of [["session", grant.token], ["config jwt", app.token({ tenants: [grant.tenant.id] })]] as const) {
  const h = { authorization: `Bearer ${auth}`, "accept-encoding": "br" };
  const first = await inject(app.app.callback, path, h);
  const etag = String(first.getHeader("etag"));
  for (const [variant, headers] of [["200", h], ["304", { ...h, "if-none-match": etag }]] as const) {
    for (let i = 0; i < 3000; i++) await inject(app.app.callback, path, headers);
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const before = process.cpuUsage();
      for (let i = 0; i < 20000; i++) await inject(app.app.callback, path, headers);
      const u = process.cpuUsage(before); best = Math.min(best, (u.user + u.system) / 20000);
    }
    const s = (await inject(app.app.callback, path, headers)).statusCode;
    console.log(name, variant, s, best.toFixed(1), "µs");
  }
}
process.exit(0);
