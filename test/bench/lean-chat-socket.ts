import WebSocket from "ws";

/**
 * A minimal Socket.IO client for the load generator: one WebSocket per socket, no parser, no emitter, no reconnection.
 * It does what 1,000 browsers would do on the wire and nothing else, so that one process can hold them all without
 * becoming the bottleneck: a frame of an event nobody listens to (the tenant feed's `conversations:updated`, ≈ 140 KB
 * per socket per second) is counted, never decoded (nor even UTF-8 validated).
 *
 * Wire format, as specified and as the installed packages implement it:
 * - Engine.IO protocol v4 (https://github.com/socketio/engine.io-protocol, "v4"; engine.io-parser's PACKET_TYPES):
 *   the WebSocket transport is opened directly with `/socket.io/?EIO=4&transport=websocket` (no polling first); each
 *   WebSocket text frame is one packet, a one-digit type then its data: `0` open (the handshake JSON: sid,
 *   pingInterval, pingTimeout, maxPayload), `1` close, `2` ping, `3` pong, `4` message, `6` noop. In v4 the server
 *   pings and the client answers each `2` with `3` (engine.io's Socket#onPacket closes the session on a client ping:
 *   "invalid heartbeat direction"), or the server closes the session after pingInterval + pingTimeout.
 * - Socket.IO protocol v5 (https://github.com/socketio/socket.io-protocol; socket.io-parser's Encoder#encodeAsString):
 *   a message's data is `<type>[<namespace>,][<ack id>][<JSON>]`, type `0` CONNECT, `1` DISCONNECT, `2` EVENT,
 *   `3` ACK, `4` CONNECT_ERROR (`5`/`6` binary, not used by the gateway). Connecting to a namespace sends
 *   `40/chat,{auth}`; the server answers `40/chat,{"sid":…}` or `44/chat,{"message":…}`. An event is
 *   `42/chat,["name",payload]`, with an ack id `42/chat,7["name",payload]`, answered `43/chat,7[reply]`.
 */
export class LeanChatSocket {
  /** Frames received (every Engine.IO packet, pings included) and their bytes. */
  frames = 0;
  bytes = 0;
  /** Pings answered. */
  pongs = 0;
  /** Events received, by name (decoded from the frame's first bytes only). */
  readonly eventCounts = new Map<string, number>();
  /** Called with the name of every event received (listened to or not), before its handler. */
  onEvent: ((name: string) => void) | undefined;
  /** Why the connection ended, once it has. */
  closedBecause: string | undefined;

  private readonly listeners = new Map<string, (payload: unknown) => void>();
  private readonly acks = new Map<number, (reply: unknown) => void>();
  private nextAckId = 0;
  /** `4` (message) + `2` (event) + the namespace and comma: what every event frame of this namespace starts with. */
  private readonly eventHead: Buffer;

  private constructor(
    private readonly ws: WebSocket,
    private readonly namespace: string,
  ) {
    this.eventHead = Buffer.from(`42${this.nsp()}`);
  }

  /**
   * Opens the WebSocket, answers the Engine.IO handshake and connects to `namespace` with `auth`; resolves once the
   * server accepted (CONNECT), rejects with its message on CONNECT_ERROR or if the connection fails or closes first.
   */
  static connect(baseUrl: string, auth: object, options: { namespace?: string; timeoutMs?: number } = {}): Promise<LeanChatSocket> {
    const url = new URL("/socket.io/?EIO=4&transport=websocket", baseUrl.replace(/^http/, "ws"));
    // No compression offered (socket.io's server has it off by default) and no UTF-8 check of what arrives: the
    // feed's frames are only counted, so decoding them would be the load generator's cost, not the gateway's.
    const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true });
    const socket = new LeanChatSocket(ws, options.namespace ?? "/chat");
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`lean socket: not connected within ${options.timeoutMs ?? 30_000} ms`)), options.timeoutMs ?? 30_000);
      const fail = (error: Error) => {
        clearTimeout(timer);
        ws.terminate();
        reject(error);
      };
      ws.once("error", fail);
      socket.onConnect = (error) => {
        if (error) return fail(error);
        clearTimeout(timer);
        ws.off("error", fail);
        ws.on("error", () => undefined); // a later error ends in `close`, which is recorded
        resolve(socket);
      };
      ws.on("close", (code, reason) => {
        socket.closedBecause ??= `closed ${code}${reason.length ? ` ${reason.toString()}` : ""}`;
        socket.onConnect?.(new Error(`lean socket: ${socket.closedBecause} before CONNECT`));
      });
      ws.on("message", (data: Buffer, isBinary: boolean) => socket.onFrame(data, isBinary, auth));
    });
  }

  /**
   * Calls `handler` with the payload (first argument) of every `event`: only these frames are parsed. Register
   * before acting; one handler per event.
   */
  on(event: string, handler: (payload: unknown) => void): void {
    this.listeners.set(event, handler);
  }

  /** Emits `event` with `payload` and resolves with the server's ack (its first argument). */
  emitWithAck(event: string, payload: unknown, timeoutMs = 30_000): Promise<unknown> {
    const id = this.nextAckId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.acks.delete(id);
        reject(new Error(`lean socket: no ack to ${event} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.acks.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.ws.send(`42${this.nsp()}${id}${JSON.stringify([event, payload])}`);
    });
  }

  get connected(): boolean {
    return this.ws.readyState === WebSocket.OPEN && this.closedBecause === undefined;
  }

  close(): void {
    this.closedBecause ??= "closed by the client";
    this.ws.close();
  }

  /** Set while connecting: called once with the outcome of the namespace CONNECT. */
  private onConnect: ((error?: Error) => void) | undefined;

  private nsp(): string {
    return this.namespace === "/" ? "" : `${this.namespace},`;
  }

  private onFrame(data: Buffer, isBinary: boolean, auth: object): void {
    this.frames++;
    this.bytes += data.length;
    if (isBinary || data.length === 0) return; // binary attachments: the gateway sends none
    switch (data[0]) {
      case 0x32: // `2` ping → `3` pong
        this.ws.send(data.length > 1 ? `3${data.subarray(1).toString()}` : "3");
        this.pongs++;
        return;
      case 0x30: // `0` open: the handshake; connect to the namespace
        this.ws.send(`40${this.nsp()}${JSON.stringify(auth)}`);
        return;
      case 0x34: // `4` message: a Socket.IO packet
        this.onPacket(data);
        return;
      case 0x31: // `1` close
        this.closedBecause ??= "server sent close";
        this.ws.close();
        return;
    }
  }

  private onPacket(data: Buffer): void {
    const head = this.eventHead.length;
    if (data[1] === 0x32 && data.length > head && data.compare(this.eventHead, 0, head, 0, head) === 0) {
      // EVENT: `42/chat,`, an ack id if the server wants one (this server never does), then `["name",…`: the name
      // is read from its bytes, and only a listened-to event is parsed.
      let start = head;
      while (data[start]! >= 0x30 && data[start]! <= 0x39) start++;
      const nameEnd = data.indexOf(0x22, start + 2); // the closing quote (event names here have no escapes)
      const name = data.toString("latin1", start + 2, nameEnd);
      this.eventCounts.set(name, (this.eventCounts.get(name) ?? 0) + 1);
      this.onEvent?.(name);
      const handler = this.listeners.get(name);
      if (handler) handler((JSON.parse(data.toString("utf8", start)) as unknown[])[1]);
      return;
    }
    const text = data.toString("utf8", 1);
    // Another namespace's packet (this client connects to one only) is not this socket's.
    if (this.namespace !== "/" && !text.startsWith(this.nsp(), 1)) return;
    const body = text.slice(1 + this.nsp().length);
    switch (text[0]) {
      case "0": // CONNECT accepted
        this.onConnect?.();
        this.onConnect = undefined;
        return;
      case "4": // CONNECT_ERROR
        this.onConnect?.(new Error(`lean socket: connect_error ${body}`));
        this.onConnect = undefined;
        return;
      case "1": // DISCONNECT (the server left the namespace)
        this.closedBecause ??= "server disconnected the namespace";
        this.ws.close();
        return;
      case "3": {
        // ACK: `<id>[reply]`
        const bracket = body.indexOf("[");
        const id = Number(body.slice(0, bracket));
        const resolve = this.acks.get(id);
        this.acks.delete(id);
        resolve?.((JSON.parse(body.slice(bracket)) as unknown[])[0]);
        return;
      }
    }
  }
}
