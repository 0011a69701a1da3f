import type { IncomingMessage } from "node:http";
import { StringDecoder } from "node:string_decoder";
import busboy from "busboy";
import { AppError } from "../errors.js";
import { CsvParser } from "./contacts-csv.js";

export interface CsvUploadBounds {
  maxBytes: number;
  maxRows: number;
  idleTimeoutMs: number;
}

/**
 * Reads the `file` part of a multipart/form-data upload as CSV records (the header included), parsing as the bytes
 * arrive: refused with 413 past `maxBytes` or `maxRows`, 400 when it is not CSV or there is no `file`, 408 when
 * the client stalls. Nothing is kept but the records.
 */
export async function readCsvUpload(req: IncomingMessage, bounds: CsvUploadBounds): Promise<string[][]> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: bounds.maxBytes + 1, fields: 4, fieldSize: 1024, parts: 5 } });
  } catch {
    throw new AppError("validation_failed", "the body must be multipart/form-data with a boundary", { field: "file" });
  }
  return new Promise<string[][]>((resolve, reject) => {
    const records: string[][] = [];
    let sawFile = false;
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.unpipe(parser);
      req.resume(); // drain, so the client reads the answer
      reject(error);
    };
    const stall = () => fail(new AppError("request_timeout", `the upload sent nothing for ${bounds.idleTimeoutMs} ms`, { field: "file" }));
    let timer = setTimeout(stall, bounds.idleTimeoutMs);
    req.on("data", () => {
      clearTimeout(timer);
      timer = setTimeout(stall, bounds.idleTimeoutMs);
    });
    req.on("aborted", () => fail(new AppError("validation_failed", "the upload was interrupted", { field: "file" })));
    parser.on("file", (name, stream) => {
      if (name !== "file") {
        stream.resume();
        return;
      }
      sawFile = true;
      const csv = new CsvParser();
      const decoder = new StringDecoder("utf8");
      let first = true;
      const take = (found: string[][]) => {
        records.push(...found);
        if (records.length > bounds.maxRows + 1) throw new AppError("payload_too_large", `an import holds at most ${bounds.maxRows} rows`, { field: "file" });
      };
      stream.on("data", (chunk: Buffer) => {
        try {
          let text = decoder.write(chunk);
          if (first) text = text.replace(/^\uFEFF/, ""); // a spreadsheet's byte order mark
          first = false;
          take(csv.push(text));
        } catch (error) {
          fail(error instanceof AppError ? error : new AppError("validation_failed", `the file is not CSV: ${(error as Error).message}`, { field: "file" }));
        }
      });
      stream.on("limit", () => fail(new AppError("payload_too_large", `the file is larger than ${bounds.maxBytes} bytes`, { field: "file" })));
      stream.on("end", () => {
        try {
          take([...csv.push(decoder.end()), ...csv.end()]);
        } catch (error) {
          fail(error instanceof AppError ? error : new AppError("validation_failed", `the file is not CSV: ${(error as Error).message}`, { field: "file" }));
        }
      });
    });
    parser.on("error", (error) => fail(new AppError("validation_failed", `the multipart body is malformed: ${(error as Error).message}`, { field: "file" })));
    parser.on("partsLimit", () => fail(new AppError("validation_failed", "too many parts: send the CSV as the part `file`", { field: "file" })));
    parser.on("close", () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!sawFile) reject(new AppError("validation_failed", "the CSV must be sent as the multipart part `file`", { field: "file" }));
      else resolve(records);
    });
    req.pipe(parser);
  });
}
