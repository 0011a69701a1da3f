import { io, type Socket } from "socket.io-client";

/**
 * Which client a load generator holds its sockets with: `socket.io` (socket.io-client, decodes every frame as a
 * browser would) or `lean` (lean-chat-socket.ts: parses only the events it measures, so 1,000 sockets in one
 * process cost less than the server they load).
 */
export type SocketClientKind = "lean" | "socket.io";

/** A new, connected socket.io-client on /chat (websocket only, no reconnection: a drop must show), of the tenant feed `conversationFeed` (default the server's). */
export async function openChatSocket(baseUrl: string, token: string, conversationFeed?: string): Promise<Socket> {
  const socket = io(`${baseUrl}/chat`, { auth: { token, ...(conversationFeed ? { conversationFeed } : {}) }, transports: ["websocket"], forceNew: true, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

/** Subscribes to a conversation; throws with the server's message when the ack is an error. */
export async function subscribeChatSocket(socket: Socket, conversationSid: string): Promise<void> {
  const reply = (await socket.timeout(30_000).emitWithAck("subscribe:conversation", { conversationSid })) as {
    error?: { message: string };
  };
  if (reply.error) throw new Error(`subscribe: ${reply.error.message}`);
}
