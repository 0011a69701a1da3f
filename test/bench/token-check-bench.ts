import { createSecretKey } from "node:crypto";
import jwt from "jsonwebtoken";
import { ratio } from "./latency-stats.js";

export interface TokenCheckResult {
  verifies: number;
  /** The gateway's verifier (app.verifyToken), µs per token. */
  gatewayMicros: number;
  /** jsonwebtoken.verify with the same options and an HS256 KeyObject built once, µs per token. */
  keyObjectMicros: number;
  ratio: number;
}

/**
 * The JWT check every REST request and socket handshake pays, in-process: the gateway's verifier against the
 * same jsonwebtoken check given a KeyObject made once (jsonwebtoken otherwise rebuilds the key from the string
 * on every call). Interleaved rounds, so drift in machine load hits both alike.
 */
export function benchTokenCheck(
  verifyToken: (token: string) => unknown,
  secret: string,
  token: string,
  verifies: number,
): TokenCheckResult {
  const key = createSecretKey(Buffer.from(secret));
  const baseline = (t: string) => jwt.verify(t, key, { algorithms: ["HS256"] });
  const rounds = 4;
  const perRound = Math.max(1, Math.floor(verifies / rounds));
  let gatewayMs = 0;
  let keyObjectMs = 0;
  const time = (verify: (t: string) => unknown) => {
    const started = performance.now();
    for (let i = 0; i < perRound; i++) verify(token);
    return performance.now() - started;
  };
  time(verifyToken); // warm-up
  time(baseline);
  for (let round = 0; round < rounds; round++) {
    gatewayMs += time(verifyToken);
    keyObjectMs += time(baseline);
  }
  const count = perRound * rounds;
  const gatewayMicros = Math.round((gatewayMs / count) * 10_000) / 10;
  const keyObjectMicros = Math.round((keyObjectMs / count) * 10_000) / 10;
  return { verifies: count, gatewayMicros, keyObjectMicros, ratio: ratio(gatewayMicros, keyObjectMicros) };
}
