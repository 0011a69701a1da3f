import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Transform } from "node:stream";
import type { AppError } from "../errors.js";
import { assertContentMatches } from "./channel-media-rules.js";

/** How many first bytes are compared with the declared type's signature. */
const HEAD_BYTES = 12;

/** A private temporary directory for files on their way to Twilio: memory stays flat whatever their size. */
export async function createSpoolDirectory(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A pass-through for one file on its way to the spool: counts its bytes, checks its first bytes against its declared
 * type (415, naming `field`), and fails with what `overLimit` answers (given the file's size so far and the chunk's
 * length) as soon as a limit is passed — while streaming, whatever the sender declared.
 */
export function mediaGuard(contentType: string, field: string, overLimit: (size: number, chunkBytes: number) => AppError | undefined): Transform & { readonly size: number } {
  let head = Buffer.alloc(0);
  let size = 0;
  const guard = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      try {
        if (head.length < HEAD_BYTES) {
          head = Buffer.concat([head, chunk]).subarray(0, HEAD_BYTES);
          if (head.length >= HEAD_BYTES) assertContentMatches(contentType, head, field);
        }
      } catch (error) {
        return callback(error as Error);
      }
      const refused = overLimit(size, chunk.length);
      if (refused) return callback(refused);
      callback(null, chunk);
    },
    flush(callback) {
      // A file shorter than the signature is checked once it ends.
      try {
        if (head.length < HEAD_BYTES) assertContentMatches(contentType, head, field);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
  return Object.defineProperty(guard, "size", { get: () => size }) as Transform & { readonly size: number };
}
