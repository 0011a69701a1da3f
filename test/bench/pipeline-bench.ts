import { IncomingMessage, ServerResponse, type RequestListener } from "node:http";
import { Duplex } from "node:stream";
import { startBenchGateway } from "./bench-gateway.js";
import { loadBenchSettings } from "./bench-settings.js";
import { createCeilingServer, type RecordedResponse } from "./ceiling-server.js";
import { cpuProfileDir, startCpuProfile } from "./cpu-profile.js";
import { seedBenchTenants } from "./seed-bench-tenants.js";

/** A socket that takes whatever is written and drops it: the response is built and "sent" without a system call. */
class SinkSocket extends Duplex {
  readonly remoteAddress = "127.0.0.1";
  override _read(): void {}
  override _write(_chunk: unknown, _encoding: BufferEncoding, done: () => void): void {
    done();
  }
}

/** One GET through `listener` on a sink socket: Node's own request and response objects, no parser, no socket. */
function inject(listener: RequestListener, path: string, headers: Record<string, string>): Promise<ServerResponse> {
  return new Promise((resolve) => {
    const socket = new SinkSocket();
    const request = new IncomingMessage(socket as never);
    Object.assign(request, { method: "GET", url: path, headers: { host: "127.0.0.1", ...headers }, httpVersion: "1.1", httpVersionMajor: 1, httpVersionMinor: 1 });
    request.push(null);
    const response = new ServerResponse(request);
    response.assignSocket(socket as never);
    response.on("finish", () => {
      response.detachSocket(socket as never);
      resolve(response);
    });
    listener(request, response);
  });
}

/**
 * `npx tsx test/bench/pipeline-bench.ts`: the warm read path's CPU per request in this process, without sockets —
 * the gateway's whole Koa pipeline against the throughput ceiling (bare Koa, same JWT check, same bytes or a bare
 * 304), each target run 20,000 times in a row (PIPELINE_REQUESTS), best of 3 rounds. Much steadier than the socket
 * figures on a shared machine, and a profile of it (BENCH_CPU_PROFILE_DIR) has no wall-clock time of the socket
 * write in it. Not part of `npm run bench`.
 */
async function main(): Promise<void> {
  const settings = loadBenchSettings();
  const gateway = await startBenchGateway();
  const seeded = await seedBenchTenants(gateway, settings);
  const accept = { authorization: `Bearer ${gateway.token("alpha")}`, "accept-encoding": "br" };
  const targets: Array<{ name: string; path: string; headers: Record<string, string>; status: number; ceiling: RequestListener }> = [];
  for (const [name, path] of [
    ["list", `/api/v1/chat/conversations?limit=${settings.listLimit}`],
    ["messages", `/api/v1/chat/conversations/${seeded.historySid}/messages?limit=50`],
  ] as const) {
    await inject(gateway.app.callback, path, accept);
    const warm = await inject(gateway.app.callback, path, accept);
    const etag = String(warm.getHeader("etag"));
    // The ceiling's answer: the same headers that matter; its body bytes are not written anywhere, so their size is moot.
    const answers: Array<[string, Record<string, string>, number, RecordedResponse]> = [
      [`${name} br`, accept, 200, { body: Buffer.alloc(1024), contentType: String(warm.getHeader("content-type")), headers: { "Content-Encoding": "br", ETag: etag } }],
      [`${name} 304`, { ...accept, "if-none-match": etag }, 304, { body: Buffer.alloc(0), contentType: "", status: 304, headers: { ETag: etag } }],
    ];
    for (const [target, headers, status, recorded] of answers) {
      const ceiling = createCeilingServer(gateway.app.verifyToken, new Map([[path.split("?")[0]!, recorded]])).callback();
      targets.push({ name: target, path, headers, status, ceiling });
    }
  }
  const requests = Number(process.env.PIPELINE_REQUESTS ?? 20_000);
  const cpuPerRequest = async (listener: RequestListener, target: (typeof targets)[number], profileName?: string) => {
    for (let i = 0; i < 2_000; i++) await inject(listener, target.path, target.headers); // JIT
    const dir = cpuProfileDir();
    const profile = dir && profileName ? await startCpuProfile(dir, profileName) : undefined;
    const before = process.cpuUsage();
    for (let i = 0; i < requests; i++) {
      const response = await inject(listener, target.path, target.headers);
      if (response.statusCode !== target.status) throw new Error(`${target.name}: ${response.statusCode}`);
    }
    const used = process.cpuUsage(before);
    await profile?.stop();
    return (used.user + used.system) / requests;
  };
  console.log("target          gateway µs   ceiling µs   ratio");
  for (const target of targets) {
    const gatewayMicros: number[] = [];
    const ceilingMicros: number[] = [];
    for (let round = 0; round < 3; round++) {
      gatewayMicros.push(await cpuPerRequest(gateway.app.callback, target, round === 0 ? `pipeline gateway ${target.name}` : undefined));
      ceilingMicros.push(await cpuPerRequest(target.ceiling, target, round === 0 ? `pipeline ceiling ${target.name}` : undefined));
    }
    const [ours, bare] = [Math.min(...gatewayMicros), Math.min(...ceilingMicros)];
    console.log(`${target.name.padEnd(15)} ${ours.toFixed(1).padStart(10)}   ${bare.toFixed(1).padStart(10)}   ${(bare / ours).toFixed(2)}`);
  }
  await gateway.close();
}

await main();
process.exit(0);
