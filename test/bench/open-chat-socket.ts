import { io, type Socket } from "socket.io-client";

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
