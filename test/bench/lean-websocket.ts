import { createHash, randomBytes, randomFillSync } from "node:crypto";
import { request } from "node:http";
import type { Socket } from "node:net";

/** RFC 6455 §1.3: the GUID the server appends to the client's key before hashing it into Sec-WebSocket-Accept. */
const ACCEPT_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
/** How many bytes of a data frame's payload `decide` is shown before the rest is read or skipped. */
export const HEAD_BYTES = 64;
const EMPTY = Buffer.alloc(0);

export interface LeanWebSocketHandlers {
  /** Called once the connection is open, before any message (the server may send one with its 101). */
  onOpen(ws: LeanWebSocket): void;
  /**
   * Shown the first bytes of each data message (at most HEAD_BYTES; all of it if shorter) and its length: true to
   * have the whole payload passed to `onMessage`, false to have it skipped — its bytes are counted, never copied.
   */
  decide(head: Buffer, length: number): boolean;
  onMessage(payload: Buffer): void;
  onClose(reason: string): void;
}

/**
 * The receiving half of a WebSocket client that can leave a message unread: frames are parsed off the TCP stream
 * (RFC 6455 §5.2: FIN + opcode, 7/16/64-bit payload length; a server's frames are never masked), and a message its
 * handlers do not want is skipped as its bytes arrive, with no buffer made for it. What it sends is masked as a
 * client must (§5.3). The opening handshake (§4.1) goes through node:http's `upgrade`, its Sec-WebSocket-Accept
 * checked. No extensions (no permessage-deflate offered), no fragmented sends.
 */
export class LeanWebSocket {
  /** Bytes received on the TCP connection (frames' headers included). */
  bytes = 0;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private state: "header" | "head" | "payload" | "skip" | "control" = "header";
  /** The frame being read: its opcode, what of its payload is left, whether it ends its message. */
  private opcode = 0;
  private remaining = 0;
  private fin = true;
  /** The message being read: kept (its parts so far) or skipped. */
  private keep = false;
  private parts: Buffer[] = [];
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly handlers: LeanWebSocketHandlers,
  ) {
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("close", () => this.end("connection closed"));
    socket.on("error", (error) => this.end(`connection error ${error.message}`));
  }

  /** Opens `url` (ws://…): resolves once the server switched protocols with the right Sec-WebSocket-Accept. */
  static open(url: URL, handlers: LeanWebSocketHandlers): Promise<LeanWebSocket> {
    const key = randomBytes(16).toString("base64");
    return new Promise((resolve, reject) => {
      const outgoing = request({
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        agent: false,
        headers: { connection: "Upgrade", upgrade: "websocket", "sec-websocket-key": key, "sec-websocket-version": "13" },
      });
      outgoing.on("upgrade", (response, socket: Socket, head: Buffer) => {
        const expected = createHash("sha1").update(key + ACCEPT_GUID).digest("base64");
        if (response.headers["sec-websocket-accept"] !== expected) {
          socket.destroy();
          return reject(new Error("lean websocket: wrong Sec-WebSocket-Accept"));
        }
        socket.setNoDelay(true);
        const ws = new LeanWebSocket(socket, handlers);
        handlers.onOpen(ws);
        resolve(ws);
        if (head.length > 0) ws.onData(head);
      });
      outgoing.on("response", (response) => {
        response.resume();
        reject(new Error(`lean websocket: HTTP ${response.statusCode} instead of 101`));
      });
      outgoing.on("error", reject);
      outgoing.end();
    });
  }

  get open(): boolean {
    return !this.closed;
  }

  /** Sends `text` as one masked text frame. */
  send(text: string): void {
    this.sendFrame(0x1, Buffer.from(text));
  }

  /** Sends a close frame and ends the connection. */
  close(): void {
    if (this.closed) return;
    this.sendFrame(0x8, Buffer.alloc(0));
    this.socket.end();
    this.end("closed by the client");
  }

  private sendFrame(opcode: number, payload: Buffer): void {
    if (this.closed) return;
    const length = payload.length;
    const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
    const frame = Buffer.allocUnsafe(2 + lengthBytes + 4 + length);
    frame[0] = 0x80 | opcode;
    frame[1] = 0x80 | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
    if (lengthBytes === 2) frame.writeUInt16BE(length, 2);
    else if (lengthBytes === 8) frame.writeBigUInt64BE(BigInt(length), 2);
    const maskAt = 2 + lengthBytes;
    randomFillSync(frame, maskAt, 4);
    for (let i = 0; i < length; i++) frame[maskAt + 4 + i] = payload[i]! ^ frame[maskAt + (i & 3)]!;
    this.socket.write(frame);
  }

  private end(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.handlers.onClose(reason);
  }

  private onData(chunk: Buffer): void {
    this.bytes += chunk.length;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (!this.closed && this.step());
  }

  /** One step of the frame parser; false when it needs more bytes. */
  private step(): boolean {
    switch (this.state) {
      case "header": {
        if (this.buffered < 2) return false;
        const [b0, b1] = this.peek(2);
        if (b1! & 0x80) return (this.fail("masked frame from the server"), false);
        const len7 = b1! & 0x7f;
        const size = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0);
        if (this.buffered < size) return false;
        const header = this.take(size);
        this.fin = (b0! & 0x80) !== 0;
        this.opcode = b0! & 0x0f;
        this.remaining = len7 === 126 ? header.readUInt16BE(2) : len7 === 127 ? Number(header.readBigUInt64BE(2)) : len7;
        if (this.opcode >= 0x8) this.state = "control";
        else if (this.opcode === 0x0) this.state = this.keep ? "payload" : "skip"; // a continuation: as its message
        else this.state = "head";
        return true;
      }
      case "head": {
        const wanted = Math.min(HEAD_BYTES, this.remaining);
        if (this.buffered < wanted) return false;
        this.keep = this.handlers.decide(this.peek(wanted), this.remaining);
        this.parts = [];
        this.state = this.keep ? "payload" : "skip";
        return true;
      }
      case "payload": {
        if (this.buffered < this.remaining) return false;
        this.parts.push(this.take(this.remaining));
        this.state = "header";
        if (this.fin) {
          const payload = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
          this.parts = [];
          this.handlers.onMessage(payload);
        }
        return true;
      }
      case "skip": {
        this.remaining -= this.skip(this.remaining);
        if (this.remaining > 0) return false;
        this.state = "header";
        return true;
      }
      case "control": {
        if (this.buffered < this.remaining) return false;
        const payload = this.take(this.remaining);
        this.state = "header";
        if (this.opcode === 0x9) this.sendFrame(0xa, payload); // ping → pong with its data (§5.5.2)
        else if (this.opcode === 0x8) {
          this.sendFrame(0x8, Buffer.alloc(0));
          this.socket.end();
          this.end(`closed by the server${payload.length >= 2 ? ` (${payload.readUInt16BE(0)})` : ""}`);
        }
        return true;
      }
    }
  }

  private fail(reason: string): void {
    this.end(`protocol error: ${reason}`);
  }

  /** The next `n` buffered bytes, not consumed (a copy only when they span chunks). */
  private peek(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.chunks[0]!;
    return first.length >= n ? first.subarray(0, n) : Buffer.concat(this.chunks, Math.min(this.buffered, n)).subarray(0, n);
  }

  /** Consumes the next `n` buffered bytes and returns them (a copy only when they span chunks). */
  private take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const first = this.chunks[0]!;
    if (first.length >= n) {
      this.advance(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const chunk = this.chunks[0]!;
      const used = Math.min(chunk.length, n - at);
      chunk.copy(out, at, 0, used);
      at += used;
      this.advance(used);
    }
    return out;
  }

  /** Drops up to `n` buffered bytes without copying; returns how many. */
  private skip(n: number): number {
    let dropped = 0;
    while (dropped < n && this.chunks.length > 0) dropped += this.advance(Math.min(this.chunks[0]!.length, n - dropped));
    return dropped;
  }

  /** Moves past `n` bytes of the first chunk (n ≤ its length). */
  private advance(n: number): number {
    const first = this.chunks[0]!;
    if (n === first.length) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return n;
  }
}
