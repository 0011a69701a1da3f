import { LeanWebSocket } from "./lean-websocket.js";

/**
 * A minimal Socket.IO client for the load generator: one WebSocket per socket (lean-websocket.ts), no parser, no
 * emitter, no reconnection. It does what 1,000 browsers would do on the wire and nothing else, so that one process can
 * hold them all without becoming the bottleneck: a frame of an event nobody listens to (the tenant feed's
 * `conversations:updated`, ≈ 100 KB per socket per second) is named from its first bytes and counted, and the rest of
 * it is skipped as it arrives — never copied into a message, decoded or UTF-8 checked. (Over the `ws` package, its
 * reassembly of each such frame into one buffer, and the garbage collection of those buffers, were 60 % of the load
 * generator's CPU on the `batched` feed.)
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
  /** Engine.IO packets received (pings included). */
  frames = 0;
  /** Pings answered. */
  pongs = 0;
  /** Events received, by name (read from the frame's first bytes only). */
  readonly eventCounts = new Map<string, number>();
  /** Called with the name of every event received (listened to or not), before its handler. */
  onEvent: ((name: string) => void) | undefined;
  /** Why the connection ended, once it has. */
  closedBecause: string | undefined;

  private ws!: LeanWebSocket;
  private readonly listeners = new Map<string, (payload: unknown) => void>();
  private readonly acks = new Map<number, (reply: unknown) => void>();
  private nextAckId = 0;
  /** `4` (message) + `2` (event) + the namespace and comma: what every event frame of this namespace starts with. */
  private readonly eventHead: Buffer;
  /** Where the JSON array of the event being read starts, and its name (set by `decide` for a kept event). */
  private keptEvent: { name: string; at: number } | undefined;
  /** Set while connecting: called once with the outcome of the namespace CONNECT. */
  private onConnect: ((error?: Error) => void) | undefined;

  private constructor(
    private readonly namespace: string,
    private readonly auth: object,
  ) {
    this.eventHead = Buffer.from(`42${this.nsp()}`);
  }

  /**
   * Opens the WebSocket, answers the Engine.IO handshake and connects to `namespace` with `auth`; resolves once the
   * server accepted (CONNECT), rejects with its message on CONNECT_ERROR or if the connection fails or closes first.
   */
  static async connect(baseUrl: string, auth: object, options: { namespace?: string; timeoutMs?: number } = {}): Promise<LeanChatSocket> {
    const url = new URL("/socket.io/?EIO=4&transport=websocket", baseUrl.replace(/^http/, "ws"));
    const socket = new LeanChatSocket(options.namespace ?? "/chat", auth);
    const timeoutMs = options.timeoutMs ?? 30_000;
    const connected = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => socket.onConnect?.(new Error(`lean socket: not connected within ${timeoutMs} ms`)), timeoutMs);
      socket.onConnect = (error) => {
        clearTimeout(timer);
        socket.onConnect = undefined;
        if (error) {
          socket.ws?.close();
          reject(error);
        } else resolve();
      };
    });
    const opened = LeanWebSocket.open(url, {
      onOpen: (ws) => (socket.ws = ws),
      decide: (head, length) => socket.decide(head, length),
      onMessage: (payload) => socket.onPacket(payload),
      onClose: (reason) => {
        socket.closedBecause ??= reason;
        socket.onConnect?.(new Error(`lean socket: ${reason} before CONNECT`));
      },
    });
    opened.catch((error: Error) => socket.onConnect?.(error));
    await connected;
    return socket;
  }

  /** Bytes received on the connection. */
  get bytes(): number {
    return this.ws.bytes;
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
    return this.ws.open && this.closedBecause === undefined;
  }

  close(): void {
    this.closedBecause ??= "closed by the client";
    this.ws.close();
  }

  private nsp(): string {
    return this.namespace === "/" ? "" : `${this.namespace},`;
  }

  /**
   * Shown the first bytes of each packet: an event of this namespace is counted by its name, and read whole only if
   * it is listened to; every other packet (open, ping, CONNECT, ACK: all small) is read whole.
   */
  private decide(head: Buffer, length: number): boolean {
    this.frames++;
    const size = this.eventHead.length;
    if (head.length <= size || head.compare(this.eventHead, 0, size, 0, size) !== 0) return true;
    // EVENT: `42/chat,`, an ack id if the server wants one (this server never does), then `["name",…`.
    let at = size;
    while (head[at]! >= 0x30 && head[at]! <= 0x39) at++;
    const nameEnd = head.indexOf(0x22, at + 2); // the closing quote (event names here have no escapes)
    if (head[at] !== 0x5b || nameEnd < 0) {
      // A name longer than the head shows: read it whole and name it then.
      this.keptEvent = { name: "", at };
      return length > 0;
    }
    const name = head.toString("latin1", at + 2, nameEnd);
    this.eventCounts.set(name, (this.eventCounts.get(name) ?? 0) + 1);
    this.onEvent?.(name);
    if (!this.listeners.has(name)) return false;
    this.keptEvent = { name, at };
    return true;
  }

  private onPacket(data: Buffer): void {
    const event = this.keptEvent;
    this.keptEvent = undefined;
    if (event) {
      const args = JSON.parse(data.toString("utf8", event.at)) as [string, unknown];
      if (!event.name) {
        this.eventCounts.set(args[0], (this.eventCounts.get(args[0]) ?? 0) + 1);
        this.onEvent?.(args[0]);
      }
      this.listeners.get(args[0])?.(args[1]);
      return;
    }
    switch (data[0]) {
      case 0x32: // `2` ping → `3` pong (with the ping's data, if any)
        this.ws.send(`3${data.toString("utf8", 1)}`);
        this.pongs++;
        return;
      case 0x30: // `0` open: the handshake; connect to the namespace
        this.ws.send(`40${this.nsp()}${JSON.stringify(this.auth)}`);
        return;
      case 0x31: // `1` close
        this.closedBecause ??= "server sent close";
        this.ws.close();
        return;
      case 0x34: // `4` message: a Socket.IO packet other than an event
        break;
      default:
        return;
    }
    const text = data.toString("utf8", 1);
    // Another namespace's packet (this client connects to one only) is not this socket's.
    if (this.namespace !== "/" && !text.startsWith(this.nsp(), 1)) return;
    const body = text.slice(1 + this.nsp().length);
    switch (text[0]) {
      case "0": // CONNECT accepted
        this.onConnect?.();
        return;
      case "4": // CONNECT_ERROR
        this.onConnect?.(new Error(`lean socket: connect_error ${body}`));
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
