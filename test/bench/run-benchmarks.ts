import { cpus, loadavg } from "node:os";
import { BENCH_JWT_SECRET, startBenchGateway, TUNABLE } from "./bench-gateway.js";
import { formatTable, reportRows, type BenchResults } from "./bench-report.js";
import { benchEnvPrefix, loadBenchSettings } from "./bench-settings.js";
import { benchBusiness } from "./business-bench.js";
import { benchInboxPage } from "./inbox-page-bench.js";
import { benchLargeTenant } from "./large-tenant-bench.js";
import { benchListConversations } from "./list-conversations-bench.js";
import { listenOnLoopback } from "./listen-on-loopback.js";
import { benchCacheMemory } from "./memory-bench.js";
import { benchMediaStream } from "./media-stream-bench.js";
import { createNaiveAdapter } from "./naive-adapter.js";
import { seedBenchTenants } from "./seed-bench-tenants.js";
import { benchThroughput } from "./throughput-bench.js";
import { benchTokenCheck } from "./token-check-bench.js";
import { benchWebhookFanout } from "./webhook-fanout-bench.js";
import { benchScaleOut } from "./scale-out-bench.js";
import { benchWireBytes } from "./wire-bytes-bench.js";
import { sourceState } from "./source-state.js";
import { writeResults } from "./write-results.js";

/** `npm run bench`: every figure beside a baseline measured in this same run; see test/bench/README.md. */
async function main(): Promise<void> {
  const settings = loadBenchSettings();
  const startedAt = new Date();
  const command = `${benchEnvPrefix(process.env, TUNABLE)} npm run bench`.trim();
  const loadAtStart = loadavg()[0]!;
  const log = (message: string) =>
    process.stderr.write(`[bench ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(3)}s] ${message}\n`);

  log(`booting emulator + gateway; seeding ${settings.conversations} + ${settings.directConversations} conversations`);
  const gateway = await startBenchGateway();
  const seeded = await seedBenchTenants(gateway, settings);
  const naive = {
    alpha: await listenOnLoopback(
      createNaiveAdapter({
        ...twilioOf(gateway.tenants.alpha),
        twilioBaseUrl: gateway.emulator.baseUrl,
        verifyToken: gateway.app.verifyToken,
      }).callback(),
    ),
    beta: await listenOnLoopback(
      createNaiveAdapter({
        ...twilioOf(gateway.tenants.beta),
        twilioBaseUrl: gateway.emulator.baseUrl,
        verifyToken: gateway.app.verifyToken,
      }).callback(),
    ),
  };
  gateway.emulator.setFaultPlan({ latencyMs: settings.latencyMs });

  const results: BenchResults = { list: [], throughput: [], fanout: [], memory: [] };
  const run = settings.sections;
  try {
    if (run.has("list")) {
      log(
        `1–2. GET /conversations: upstream calls and latency, cold and warm, vs naive (latency ${settings.latencyMs} ms per upstream call)`,
      );
      results.list.push(
        await benchListConversations(gateway, settings, {
          variant: "with summary",
          tenant: "alpha",
          conversations: seeded.alpha.length,
          naiveBaseUrl: naive.alpha.baseUrl,
        }),
      );
      results.list.push(
        await benchListConversations(gateway, settings, {
          variant: "made in Twilio, no summary",
          tenant: "beta",
          conversations: seeded.beta.length,
          naiveBaseUrl: naive.beta.baseUrl,
        }),
      );
    }
    if (run.has("throughput")) {
      log("3. warm throughput vs the bare-Koa ceiling");
      const listPath = `/api/v1/chat/conversations?limit=${settings.listLimit}`;
      const messagesPath = `/api/v1/chat/conversations/${seeded.historySid}/messages?limit=50`;
      results.wireBytes = await benchWireBytes(gateway, [
        { name: `GET /conversations?limit=${settings.listLimit}`, path: listPath, tenant: "alpha" },
        { name: "GET /conversations/:sid/messages?limit=50", path: messagesPath, tenant: "alpha" },
      ]);
      results.throughput = await benchThroughput(gateway, settings, [
        {
          name: "GET /conversations?limit=50",
          path: `/api/v1/chat/conversations?limit=${settings.listLimit}`,
          tenant: "alpha",
          alsoBaseUrl: { label: "naive adapter", baseUrl: naive.alpha.baseUrl },
        },
        {
          name: "GET /conversations/:sid/messages?limit=50",
          path: messagesPath,
          tenant: "alpha",
        },
        { name: "GET /conversations?limit=50, br", path: listPath, tenant: "alpha", variant: "br" },
        { name: "GET /conversations?limit=50, 304", path: listPath, tenant: "alpha", variant: "304" },
        { name: "GET /conversations/:sid/messages?limit=50, br", path: messagesPath, tenant: "alpha", variant: "br" },
        { name: "GET /conversations/:sid/messages?limit=50, 304", path: messagesPath, tenant: "alpha", variant: "304" },
      ]);
      results.tokenCheck = benchTokenCheck(
        (token) => gateway.app.verifyToken(token),
        BENCH_JWT_SECRET,
        gateway.token("alpha"),
        settings.quick ? 1000 : 4000,
      );
    }
    if (run.has("sockets")) {
      log(
        `4. webhook → socket: ${settings.socketCounts.join(", ")} sockets, ${settings.webhookRate}/s for ${settings.webhookSeconds} s`,
      );
      results.fanout = await benchWebhookFanout(gateway, seeded, settings);
    }
    if (run.has("scale-out")) {
      log(`10. scale-out: ${Math.max(...settings.socketCounts)} sockets, ${settings.webhookRate}/s for ${settings.webhookSeconds} s on 1 process vs 2 sharing Redis`);
      results.scaleOut = await benchScaleOut(gateway, seeded, settings);
    }
    if (run.has("media")) {
      log(`8. media: 16 MiB streamed through the gateway vs curl straight from the emulator (latency ${settings.latencyMs} ms per Twilio call)`);
      results.media = await benchMediaStream(gateway, settings.quick ? 2 : 5);
    }
  } finally {
    await naive.alpha.close();
    await naive.beta.close();
    await gateway.close();
  }

  if (run.has("page")) {
    log("6. inbox page: bundle size, time to first render of the list vs a plain static page");
    results.page = await benchInboxPage(settings, log);
  }

  if (run.has("large")) {
    log(`7. a tenant of ${settings.largeConversations} conversations: cold start, fill, memory, warm list, correctness after a restart`);
    results.large = await benchLargeTenant(
      { conversations: settings.largeConversations, latencyMs: settings.latencyMs, warmSamples: settings.warmSamples },
      log,
    );
  }

  if (run.has("business")) {
    log(`9. business API: messages and analytics warm beside the chat list, a ${settings.businessImportRows}-row contact import against Twilio's pace`);
    results.business = await benchBusiness(
      { latencyMs: settings.latencyMs, warmSamples: settings.warmSamples, importRows: settings.businessImportRows },
      log,
    );
  }

  if (run.has("memory")) {
    log(`5. memory: ${settings.cacheEntries} entries into InboxCache`);
    results.memory = await benchCacheMemory(settings, gateway.config.cache);
  }

  const rows = reportRows(results, settings);
  const finishedAt = new Date();
  const load = `load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end`;
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? "cpu"}, Node ${process.version}, ${load}`;
  const header = [
    `Switchboard benchmarks — ${finishedAt.toISOString()} (${((finishedAt.getTime() - startedAt.getTime()) / 1000).toFixed(0)} s)`,
    `command: ${command}`,
    `source: ${sourceState()}`,
    `machine: ${machine}; emulator latency ${settings.latencyMs} ms per upstream call${settings.quick ? "; QUICK run" : ""}`,
    "",
  ].join("\n");
  process.stdout.write(`\n${header}${formatTable(rows)}\n\n`);

  writeResults("latest.json", { command, startedAt, finishedAt, machine }, {
    settings,
    rows,
    results: stripBodies(results),
  });
}

const twilioOf = (tenant: { accountSid: string; authToken: string; conversationsServiceSid: string }) => ({
  accountSid: tenant.accountSid,
  authToken: tenant.authToken,
  serviceSid: tenant.conversationsServiceSid,
});

/** The recorded response bodies are large and say nothing the figures do not. */
function stripBodies(results: BenchResults) {
  return {
    ...results,
    list: results.list.map(({ warmResponse, ...rest }) => ({ ...rest, warmResponseBytes: warmResponse.body.length })),
  };
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
