import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Password hashes: scrypt (memory-hard, in Node's crypto, so no native add-on and nothing to build in the image),
 * with a 16-byte random salt per hash. The encoding carries its parameters — `scrypt$<log2 N>$<r>$<p>$<salt>$<key>`
 * (base64url) — so a cost raised later still verifies the hashes made before it.
 */
const KEY_BYTES = 32;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFKC"), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
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
  const expected = Buffer.from(key, "base64url");
  const actual = await derive(password, Buffer.from(salt, "base64url"), Number(logN), Number(r), Number(p));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
