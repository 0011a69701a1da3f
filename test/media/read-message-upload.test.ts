import { existsSync } from "node:fs";
import { Readable } from "node:stream";
import type { IncomingMessage } from "node:http";
import { expect } from "chai";
import { isAppError } from "../../src/errors.js";
import { readMessageUpload } from "../../src/media/read-message-upload.js";

/** A request stream as Node's server hands it over: headers and a body. */
function request(contentType: string, body: Buffer | string): IncomingMessage {
  const stream = Readable.from([Buffer.from(body)]) as unknown as IncomingMessage;
  stream.headers = { "content-type": contentType };
  return stream;
}

const multipart = (parts: Array<{ name: string; filename?: string; type?: string; data: string | Buffer }>) => {
  const boundary = "unit-boundary";
  const chunks = parts.flatMap((part) => [
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ""}\r\n` +
        (part.type ? `Content-Type: ${part.type}\r\n` : "") +
        "\r\n",
    ),
    Buffer.from(part.data),
    Buffer.from("\r\n"),
  ]);
  return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]) };
};

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("expected a refusal"),
    (error: unknown) => {
      expect(isAppError(error), String(error)).to.equal(true);
      return error as { status: number; options: { field?: string } };
    },
  );

describe("readMessageUpload", () => {
  describe("when the body is well formed", () => {
    it("spools each file to a private temporary file and removes it on cleanup", async () => {
      const { type, body } = multipart([
        { name: "body", data: "hello" },
        { name: "file", filename: "a.pdf", type: "application/pdf", data: "%PDF-1.7 tiny" },
      ]);
      const upload = await readMessageUpload(request(type, body), { idleTimeoutMs: 1000 });
      expect(upload.body).to.equal("hello");
      expect(upload.files).to.have.length(1);
      expect(upload.files[0]).to.include({ contentType: "application/pdf", filename: "a.pdf", size: 13 });
      expect(existsSync(upload.files[0]!.path)).to.equal(true);
      await upload.cleanup();
      expect(existsSync(upload.files[0]!.path)).to.equal(false);
    });
  });

  describe("when the multipart Content-Type has no boundary", () => {
    it("refuses with 400 naming body", async () => {
      const error = await refusal(readMessageUpload(request("multipart/form-data", "{}"), { idleTimeoutMs: 1000 }));
      expect([error.status, error.options.field]).to.deep.equal([400, "body"]);
    });
  });

  describe("when the body field is longer than 1600 characters", () => {
    it("refuses with 400 naming body", async () => {
      const { type, body } = multipart([{ name: "body", data: "x".repeat(1601) }]);
      const error = await refusal(readMessageUpload(request(type, body), { idleTimeoutMs: 1000 }));
      expect([error.status, error.options.field]).to.deep.equal([400, "body"]);
    });
  });

  describe("when a PDF is empty (shorter than its signature)", () => {
    it("refuses with 415 once the file ends", async () => {
      const { type, body } = multipart([{ name: "file", filename: "a.pdf", type: "application/pdf", data: "" }]);
      const error = await refusal(readMessageUpload(request(type, body), { idleTimeoutMs: 1000 }));
      expect([error.status, error.options.field]).to.deep.equal([415, "file"]);
    });
  });

  describe("when nothing is sent", () => {
    it("refuses with 400: a body, a file, or both", async () => {
      const { type, body } = multipart([]);
      const error = await refusal(readMessageUpload(request(type, body), { idleTimeoutMs: 1000 }));
      expect([error.status, error.options.field]).to.deep.equal([400, "file"]);
    });
  });
});
