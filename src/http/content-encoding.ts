import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

/** The codings the gateway sends, in its order of preference (smaller first). */
export type ContentCoding = "br" | "gzip";

/** Below this many bytes a compressed body saves less than its own framing and the CPU it costs. */
export const COMPRESSION_THRESHOLD_BYTES = 1024;

/**
 * Brotli quality 5: within a few per cent of quality 11 on JSON pages, at a small fraction of its CPU (a warm page is
 * compressed once per change, and a busy tenant's list changes with every message). gzip at zlib's default level.
 */
export const BROTLI_OPTIONS = { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } };
/** Brotli for answers compressed once per request (not cached): koa-compress's quality 4. */
export const BROTLI_DYNAMIC_OPTIONS = { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } };
export const GZIP_OPTIONS = { level: 6 };

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Compresses off the event loop (zlib's thread pool). */
export function compress(body: Buffer, coding: ContentCoding): Promise<Buffer> {
  return coding === "br" ? brotli(body, BROTLI_OPTIONS) : gzipAsync(body, GZIP_OPTIONS);
}

/**
 * The coding to answer with for an `Accept-Encoding` header (RFC 9110 §12.5.3): br, else gzip, else none. A coding
 * with `q=0` is refused, `*` stands for any coding not named; no header means identity.
 */
export function preferredCoding(acceptEncoding: string | undefined): ContentCoding | undefined {
  if (!acceptEncoding) return undefined;
  // A client sends the same header on every request: the last one's answer is kept.
  if (acceptEncoding === last.header) return last.coding;
  const coding = negotiate(acceptEncoding);
  last = { header: acceptEncoding, coding };
  return coding;
}

let last: { header: string; coding: ContentCoding | undefined } = { header: "", coding: undefined };

function negotiate(acceptEncoding: string): ContentCoding | undefined {
  let br: number | undefined;
  let gz: number | undefined;
  let any: number | undefined;
  for (const part of acceptEncoding.split(",")) {
    const [rawName, ...params] = part.split(";");
    const name = rawName!.trim().toLowerCase();
    let q = 1;
    for (const param of params) {
      const [key, value] = param.split("=");
      if (key?.trim().toLowerCase() === "q") q = Number(value?.trim());
    }
    if (!(q > 0)) q = 0;
    if (name === "br") br = q;
    else if (name === "gzip" || name === "x-gzip") gz = q;
    else if (name === "*") any = q;
  }
  const brQ = br ?? any ?? 0;
  const gzQ = gz ?? any ?? 0;
  if (brQ > 0 && brQ >= gzQ) return "br";
  if (gzQ > 0) return "gzip";
  return undefined;
}
