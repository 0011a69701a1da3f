import { BlockList, isIP } from "node:net";

/**
 * IPv4 ranges that are not public unicast (IANA IPv4 Special-Purpose Address Registry, RFC 6890,
 * https://www.iana.org/assignments/iana-ipv4-special-registry/): this host, private, shared (CGNAT), loopback,
 * link-local (cloud metadata at 169.254.169.254), IETF protocol assignments, documentation, 6to4 relay, benchmarking,
 * multicast, reserved and broadcast.
 */
const REFUSED_V4: ReadonlyArray<[string, number]> = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

/**
 * Inside IPv6's global unicast 2000::/3 (everything else — ::, ::1, fc00::/7, fe80::/10, ff00::/8, … — is refused),
 * the ranges that are not a public host (IANA IPv6 Special-Purpose Address Registry,
 * https://www.iana.org/assignments/iana-ipv6-special-registry/): IETF protocol assignments (Teredo, which hides an
 * IPv4 address, benchmarking, ORCHID), documentation (2001:db8::/32 and RFC 9637's 3fff::/20).
 */
const REFUSED_V6: ReadonlyArray<[string, number]> = [
  ["2001::", 23],
  ["2001:db8::", 32],
  ["3fff::", 20],
];

/** Forms that carry an IPv4 address in an IPv6 one: judged by that IPv4 address. */
const EMBEDDING_V4: ReadonlyArray<{ prefix: string; bits: number; v4At: number }> = [
  { prefix: "::ffff:0:0", bits: 96, v4At: 12 }, // IPv4-mapped
  { prefix: "64:ff9b::", bits: 96, v4At: 12 }, // NAT64 well-known prefix (RFC 6052)
  { prefix: "2002::", bits: 16, v4At: 2 }, // 6to4 (RFC 3056)
];

export interface AddressPolicy {
  /** True when `address` (an IP literal) may be connected to: public unicast, or in the configured exceptions. */
  allows(address: string): boolean;
}

/**
 * Which addresses a server-side fetch may connect to: public unicast only, judged on the bytes (an IPv4 address
 * mapped into or embedded in IPv6 is judged as that IPv4 address). `allowedPrivate` (CIDRs,
 * MEDIA_FETCH_ALLOWED_PRIVATE_ADDRESSES, as Mastodon's ALLOWED_PRIVATE_ADDRESSES) lets tests and the emulator demo
 * reach loopback; it is empty by default.
 */
export function createAddressPolicy(allowedPrivate: readonly string[] = []): AddressPolicy {
  const refusedV4 = new BlockList();
  for (const [network, bits] of REFUSED_V4) refusedV4.addSubnet(network, bits, "ipv4");
  refusedV4.addAddress("255.255.255.255", "ipv4");
  const globalUnicast = new BlockList();
  globalUnicast.addSubnet("2000::", 3, "ipv6");
  const refusedV6 = new BlockList();
  for (const [network, bits] of REFUSED_V6) refusedV6.addSubnet(network, bits, "ipv6");
  const allowed = new BlockList();
  for (const cidr of allowedPrivate) {
    const { network, bits, family } = parseCidr(cidr);
    allowed.addSubnet(network, bits, family);
  }

  const allowsV4 = (address: string) => allowed.check(address, "ipv4") || !refusedV4.check(address, "ipv4");
  return {
    allows(address) {
      const family = isIP(address);
      if (family === 4) return allowsV4(address);
      if (family !== 6) return false;
      const bytes = ipv6Bytes(address);
      if (!bytes) return false;
      if (allowed.check(address, "ipv6")) return true;
      const embedded = embeddedIPv4(bytes);
      if (embedded) return allowsV4(embedded);
      return globalUnicast.check(address, "ipv6") && !refusedV6.check(address, "ipv6");
    },
  };
}

/** `10.0.0.0/8`, `::1/128`, or a bare address (a /32 or /128). Throws on anything else. */
export function parseCidr(cidr: string): { network: string; bits: number; family: "ipv4" | "ipv6" } {
  const [network = "", bitsText, extra] = cidr.trim().split("/");
  const version = isIP(network);
  const max = version === 4 ? 32 : 128;
  const bits = bitsText === undefined ? max : /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (version === 0 || extra !== undefined || !(bits >= 0 && bits <= max)) throw new Error(`${cidr} is not an address or CIDR block`);
  return { network, bits, family: version === 4 ? "ipv4" : "ipv6" };
}

function embeddedIPv4(bytes: Uint8Array): string | undefined {
  for (const form of EMBEDDING_V4) {
    const prefix = ipv6Bytes(form.prefix)!;
    if (startsWith(bytes, prefix, form.bits)) return [...bytes.subarray(form.v4At, form.v4At + 4)].join(".");
  }
  return undefined;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array, bits: number): boolean {
  for (let bit = 0; bit < bits; bit += 8) {
    const mask = bits - bit >= 8 ? 0xff : (0xff << (8 - (bits - bit))) & 0xff;
    if ((bytes[bit / 8]! & mask) !== (prefix[bit / 8]! & mask)) return false;
  }
  return true;
}

/** The 16 bytes of an IPv6 literal (with `::` and a dotted IPv4 tail), or undefined. */
export function ipv6Bytes(address: string): Uint8Array | undefined {
  if (isIP(address) !== 6) return undefined;
  let text = address.toLowerCase();
  const tail: number[] = [];
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    text = text.slice(0, dotted.index) + "0:0";
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const groups = (part: string) => (part === "" ? [] : part.split(":").map((group) => parseInt(group, 16)));
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const words = rest === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  if (tail.length) words.splice(6, 2, ...tail);
  const bytes = new Uint8Array(16);
  words.forEach((word, index) => {
    bytes[index * 2] = word >> 8;
    bytes[index * 2 + 1] = word & 0xff;
  });
  return bytes;
}
