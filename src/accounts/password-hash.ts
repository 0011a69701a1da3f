import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Password hashes: scrypt (memory-hard, in Node's crypto, so no native add-on and nothing to build in the image),
 * with a 16-byte random salt per hash. The encoding carries its parameters — `scrypt$<log2 N>$<r>$<p>$<salt>$<key>`
 * (base64url) — so a cost raised later still verifies the hashes made before it.
 */
const KEY_BYTES = 32;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

/**
 * At most this many derivations at once (each holds 128 × r × N bytes: 128 MiB at the default cost, and a thread of
 * libuv's pool, which file and DNS work share): a burst of sign-ins queues instead of exhausting memory.
 */
const MAX_CONCURRENT_DERIVATIONS = 2;
let running = 0;
const waiting: Array<() => void> = [];

async function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  if (!Number.isInteger(logN) || logN < 10 || logN > 20 || r !== BLOCK_SIZE || p < 1 || p > 4) throw new Error("unsupported scrypt parameters");
  if (running >= MAX_CONCURRENT_DERIVATIONS) await new Promise<void>((resolve) => waiting.push(resolve));
  running += 1;
  try {
    const options: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r + 1024 * 1024 };
    return await new Promise((resolve, reject) =>
      scrypt(password.normalize("NFKC"), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
    );
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

/** Hashes `password` with cost N = 2^logN (OWASP's minimum for scrypt is 2^17 with r = 8, p = 1). */
export async function hashPassword(password: string, logN: number): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, logN, BLOCK_SIZE, PARALLELISM);
  return ["scrypt", logN, BLOCK_SIZE, PARALLELISM, salt.toString("base64url"), key.toString("base64url")].join("$");
}

/** Whether `password` matches `encoded`; false (never a throw) for a malformed hash. Compared in constant time. */
export async function verifyPassword(password: string, encoded: string): Promise<boolean> {
  const [scheme, logN, r, p, salt, key] = encoded.split("$");
  if (scheme !== "scrypt" || !logN || !r || !p || !salt || !key) return false;
  if (!/^\d+$/.test(logN) || Number(logN) < 10 || Number(logN) > 20 || Number(r) !== BLOCK_SIZE || !/^[1-4]$/.test(p)) return false;
  const expected = Buffer.from(key, "base64url");
  const actual = await derive(password, Buffer.from(salt, "base64url"), Number(logN), Number(r), Number(p));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
