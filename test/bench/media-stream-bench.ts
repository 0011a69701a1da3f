import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { BenchGateway } from "./bench-gateway.js";

/** One download: wall time as curl measured it, bytes received, and the process's memory peaks above its start. */
export interface MediaDownload {
  seconds: number;
  bytes: number;
  /** RSS peak, left to V8's own collection: chunks already sent count until V8 collects them. */
  rssGrowthBytes: number;
  /** RSS peak with a full GC every 10 ms during the download (a second download): what the stream really holds. */
  heldRssGrowthBytes: number;
  /** Buffer memory (`arrayBuffers`) peak in that second download. */
  heldBufferBytes: number;
}

export interface MediaStreamResult {
  fileBytes: number;
  rounds: number;
  /** `GET …/media/{mediaSid}` through the gateway (message read + MCS read in the tenant's service, then the stream). */
  gateway: MediaDownload[];
  /** curl straight from the emulator's direct link (`content_direct_temporary`), the same bytes with no gateway. */
  direct: MediaDownload[];
  rssBeforeBytes: number;
}

const FILE_BYTES = 16 * 1024 * 1024;

/** The process's own `gc`, for a steady RSS before each download. */
function collector(): () => void {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as (() => void) | undefined;
  return () => gc?.();
}

/** curl in its own process (it reads and discards): `time_total` and `size_download`. */
function curl(url: string, headers: string[]): Promise<{ seconds: number; bytes: number }> {
  const args = ["-s", "-f", "-o", "/dev/null", "-w", "%{time_total} %{size_download}", ...headers.flatMap((h) => ["-H", h]), url];
  return new Promise((resolve, reject) =>
    execFile("curl", args, (error, stdout) => {
      if (error) return reject(error);
      const [seconds, bytes] = stdout.trim().split(" ").map(Number);
      resolve({ seconds: seconds!, bytes: bytes! });
    }),
  );
}

/** Runs `download` while sampling memory: peaks above what it was just before. */
async function sampled(download: () => Promise<{ seconds: number; bytes: number }>, gc: () => void, collectWhileSampling: boolean) {
  gc();
  const before = process.memoryUsage();
  const peak = { rss: before.rss, arrayBuffers: before.arrayBuffers };
  const sample = () => {
    if (collectWhileSampling) gc();
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers);
  };
  const sampler = setInterval(sample, collectWhileSampling ? 10 : 5);
  try {
    const result = await download();
    sample();
    return { ...result, rss: peak.rss - before.rss, buffers: peak.arrayBuffers - before.arrayBuffers };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * Downloads twice: once as in production (V8 collects when it likes: a 16 MiB stream's spent chunks stay below its
 * 64 MiB external-memory trigger, so RSS shows them), once with a GC every 10 ms (RSS then shows what is held).
 */
async function measured(download: () => Promise<{ seconds: number; bytes: number }>, gc: () => void): Promise<MediaDownload> {
  const plain = await sampled(download, gc, false);
  const collected = await sampled(download, gc, true);
  return { seconds: plain.seconds, bytes: plain.bytes, rssGrowthBytes: plain.rss, heldRssGrowthBytes: collected.rss, heldBufferBytes: collected.buffers };
}

/**
 * 6. A customer's 16 MiB WhatsApp video downloaded through the gateway (which streams it from MCS), beside curl
 * fetching the same bytes straight from the emulator. Gateway and emulator share this process, so the RSS figure
 * includes both ends; the direct download shows what the emulator alone costs.
 */
export async function benchMediaStream(gateway: BenchGateway, rounds: number): Promise<MediaStreamResult> {
  const gc = collector();
  const tenant = gateway.tenants.alpha;
  const sent = await gateway.emulator.simulateInboundMessage({
    accountSid: tenant.accountSid,
    from: "whatsapp:+15005559901",
    to: tenant.whatsappNumber!,
    body: "",
    media: [{ contentType: "video/mp4", filename: "bench.mp4", bytes: randomBytes(FILE_BYTES) }],
  });
  await gateway.quiesce();
  const auth = `Authorization: Bearer ${gateway.token("alpha")}`;
  const listed = await fetch(`${gateway.baseUrl}/api/v1/chat/conversations/${sent.conversationSid}/messages?limit=1`, {
    headers: { authorization: auth.slice("Authorization: ".length) },
  });
  const [message] = (await listed.json()) as Array<{ media: Array<{ sid: string; url: string }> }>;
  const media = message!.media[0]!;
  const basic = Buffer.from(`${tenant.accountSid}:${tenant.authToken}`).toString("base64");
  const directLink = async () => {
    const response = await fetch(`${gateway.emulator.baseUrl}/v1/Services/${tenant.conversationsServiceSid}/Media/${media.sid}`, {
      headers: { authorization: `Basic ${basic}` },
    });
    const json = (await response.json()) as { links: { content_direct_temporary: string } };
    return json.links.content_direct_temporary.replace(/^https:\/\/[a-z0-9.]+\.twilio\.com/, gateway.emulator.baseUrl);
  };

  const result: MediaStreamResult = { fileBytes: FILE_BYTES, rounds, gateway: [], direct: [], rssBeforeBytes: 0 };
  gc();
  result.rssBeforeBytes = process.memoryUsage.rss();
  for (let round = 0; round < rounds; round++) {
    const link = await directLink();
    result.direct.push(await measured(() => curl(link, []), gc));
    result.gateway.push(await measured(() => curl(`${gateway.baseUrl}${media.url}`, [auth]), gc));
  }
  for (const download of [...result.gateway, ...result.direct]) {
    if (download.bytes !== FILE_BYTES) throw new Error(`a media download gave ${download.bytes} bytes, not ${FILE_BYTES}`);
  }
  return result;
}
