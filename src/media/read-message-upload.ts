import { createWriteStream } from "node:fs";
import type { IncomingMessage } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";
import { AppError } from "../errors.js";
import { UPLOAD_BOUNDS } from "./channel-media-rules.js";
import { createSpoolDirectory, mediaGuard } from "./media-spool.js";

export interface UploadedFile {
  /** Spooled to a private temporary file: memory stays flat whatever the size. */
  path: string;
  contentType: string;
  filename: string;
  size: number;
}

export interface MessageUpload {
  body?: string;
  author?: string;
  files: UploadedFile[];
  /** Removes the spooled files. */
  cleanup(): Promise<void>;
}

const TEXT_FIELDS: Record<string, number> = { body: 1600, author: 256 };

/**
 * Reads `multipart/form-data` for a message (`body`, `author`, one or more `file` parts) with busboy, streaming each
 * file to a temporary file while counting it. Before anything is asked of Twilio, the upload must be well formed and
 * within the loosest channel's bounds (files of at most 16 MB, 16 MB together, 10 files; 413/400), each file's first
 * bytes must match its declared type (415); the channel's own rules are checked once it is known
 * (channel-media-rules.ts), still before any upload. A client that stops sending for `idleTimeoutMs` gets 408.
 */
export async function readMessageUpload(req: IncomingMessage, options: { idleTimeoutMs: number }): Promise<MessageUpload> {
  const bounds = UPLOAD_BOUNDS;
  const { dir, cleanup } = await createSpoolDirectory("switchboard-upload-");
  const upload: MessageUpload = { files: [], cleanup };
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { files: bounds.maxFiles, fileSize: bounds.maxFileBytes + 1, fields: 2, fieldSize: 8 * 1024, parts: bounds.maxFiles + 2 },
    });
  } catch {
    await cleanup();
    throw new AppError("validation_failed", "the multipart body has no boundary", { field: "body" });
  }
  let total = 0;
  const writes: Array<Promise<void>> = [];

  const done = new Promise<void>((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      clearTimeout(timer);
      req.unpipe(parser);
      // Drain what the client still sends, so it reads the answer instead of a reset connection.
      req.resume();
      reject(error);
    };
    let timer = setTimeout(() => fail(timeout(options.idleTimeoutMs)), options.idleTimeoutMs);
    req.on("data", () => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(timeout(options.idleTimeoutMs)), options.idleTimeoutMs);
    });
    req.on("aborted", () => fail(new AppError("validation_failed", "the upload was interrupted", { field: "file" })));

    parser.on("field", (name, value, info) => {
      const max = TEXT_FIELDS[name];
      if (max === undefined) return fail(new AppError("validation_failed", `unknown field ${name}: send body, author and file parts`, { field: name }));
      if (info.valueTruncated || [...value].length > max || value.length === 0)
        return fail(new AppError("validation_failed", `${name} must be 1 to ${max} characters`, { field: name }));
      upload[name as "body" | "author"] = value;
    });
    parser.on("file", (name, stream, info) => {
      if (failed) return stream.resume();
      try {
        if (name !== "file") throw new AppError("validation_failed", `files go in parts named file, not ${name}`, { field: name });
        const contentType = info.mimeType.toLowerCase();
        const file: UploadedFile = { path: join(dir, String(upload.files.length)), contentType, filename: info.filename || "file", size: 0 };
        upload.files.push(file);
        const count = mediaGuard(contentType, "file", (size, chunkBytes) => {
          file.size = size;
          total += chunkBytes;
          if (size > bounds.maxFileBytes) return new AppError("payload_too_large", `no channel takes files over ${bounds.maxFileBytes} bytes`, { field: "file" });
          if (total > bounds.maxTotalBytes)
            return new AppError("payload_too_large", `no channel takes over ${bounds.maxTotalBytes} bytes of files in one message`, { field: "file" });
          return undefined;
        });
        writes.push(pipeline(stream, count, createWriteStream(file.path, { mode: 0o600 })).catch((error) => {
          stream.resume();
          fail(error);
        }));
      } catch (error) {
        stream.resume();
        fail(error);
      }
    });
    parser.on("filesLimit", () => fail(new AppError("validation_failed", `no channel takes more than ${bounds.maxFiles} files in one message`, { field: "file" })));
    parser.on("partsLimit", () => fail(new AppError("validation_failed", "too many parts", { field: "body" })));
    parser.on("fieldsLimit", () => fail(new AppError("validation_failed", "too many fields: send body and author at most", { field: "body" })));
    parser.on("error", () => fail(new AppError("validation_failed", "the multipart body is malformed", { field: "body" })));
    parser.on("close", () => {
      Promise.all(writes).then(() => {
        if (failed) return;
        clearTimeout(timer);
        resolve();
      }, fail);
    });
    req.pipe(parser);
  });

  try {
    await done;
  } catch (error) {
    await cleanup();
    throw error;
  }
  if (upload.files.length === 0 && upload.body === undefined) {
    await cleanup();
    throw new AppError("validation_failed", "send a body, a file, or both", { field: "file" });
  }
  return upload;
}

const timeout = (ms: number) => new AppError("request_timeout", `the upload sent nothing for ${ms} ms`, { field: "file" });
