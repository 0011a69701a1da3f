import { createAdapter } from "@socket.io/redis-streams-adapter";
import type { Redis } from "ioredis";

/**
 * The Socket.IO adapter that carries emits between instances: Redis Streams, not pub/sub, because a stream can be
 * read again from an offset. So connection state recovery keeps working across instances, and an instance whose
 * Redis connection blipped resumes reading where it stopped instead of losing the packets in between.
 */
export function socketAdapter(redis: Redis) {
  return createAdapter(redis, { streamName: "switchboard:socket.io" });
}
