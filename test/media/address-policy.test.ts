import { expect } from "chai";
import { createAddressPolicy, ipv6Bytes, parseCidr } from "../../src/media/address-policy.js";

describe("address policy (media fetch)", () => {
  const policy = createAddressPolicy();

  describe("when an address is not public unicast", () => {
    const refused: Array<[string, string]> = [
      ["0.0.0.0", "this host (0/8)"],
      ["0.1.2.3", "this network (0/8)"],
      ["10.0.0.1", "private 10/8"],
      ["10.255.255.255", "private 10/8, last"],
      ["100.64.0.1", "shared CGNAT 100.64/10"],
      ["100.127.255.254", "shared CGNAT 100.64/10, last"],
      ["127.0.0.1", "loopback"],
      ["127.255.255.254", "loopback, last"],
      ["169.254.169.254", "link-local: cloud metadata"],
      ["172.16.0.1", "private 172.16/12"],
      ["172.31.255.255", "private 172.16/12, last"],
      ["192.0.0.8", "IETF protocol assignments 192.0.0/24"],
      ["192.0.2.10", "documentation TEST-NET-1"],
      ["192.88.99.1", "6to4 relay anycast"],
      ["192.168.1.1", "private 192.168/16"],
      ["198.18.0.1", "benchmarking 198.18/15"],
      ["198.19.255.255", "benchmarking 198.18/15, last"],
      ["198.51.100.7", "documentation TEST-NET-2"],
      ["203.0.113.9", "documentation TEST-NET-3"],
      ["224.0.0.1", "multicast"],
      ["239.255.255.250", "multicast, SSDP"],
      ["240.0.0.1", "reserved 240/4"],
      ["255.255.255.255", "broadcast"],
      ["::", "unspecified"],
      ["::1", "loopback"],
      ["fc00::1", "unique local fc00::/7"],
      ["fd12:3456:789a::1", "unique local fd00::/8"],
      ["fe80::1", "link-local"],
      ["febf::1", "link-local, last block"],
      ["ff02::1", "multicast"],
      ["::ffff:127.0.0.1", "IPv4-mapped loopback (dotted)"],
      ["::ffff:7f00:1", "IPv4-mapped loopback (hex)"],
      ["::ffff:169.254.169.254", "IPv4-mapped cloud metadata"],
      ["::ffff:10.0.0.1", "IPv4-mapped private"],
      ["64:ff9b::a9fe:a9fe", "NAT64 of cloud metadata"],
      ["64:ff9b::127.0.0.1", "NAT64 of loopback"],
      ["2002:7f00:1::1", "6to4 of loopback"],
      ["2002:a00:1::", "6to4 of 10.0.0.1"],
      ["2002:a9fe:a9fe::1", "6to4 of cloud metadata"],
      ["2001:db8::1", "documentation 2001:db8::/32"],
      ["3fff::1", "documentation 3fff::/20"],
      ["2001::1", "Teredo (hides an IPv4 address)"],
      ["2001:2::1", "benchmarking"],
      ["::127.0.0.1", "IPv4-compatible (deprecated)"],
      ["100::1", "discard-only 100::/64"],
      ["4000::1", "outside global unicast 2000::/3"],
      ["not-an-address", "not an IP literal"],
      ["", "empty"],
    ];
    for (const [address, why] of refused) {
      it(`refuses ${address || "(empty)"} — ${why}`, () => expect(policy.allows(address)).to.equal(false));
    }
  });

  describe("when an address is public unicast", () => {
    const allowed = ["1.1.1.1", "8.8.8.8", "93.184.215.14", "100.63.255.255", "100.128.0.0", "172.15.255.255", "172.32.0.0", "192.0.1.1", "198.17.255.255", "198.20.0.0", "223.255.255.254",
      "2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"];
    for (const address of allowed) it(`allows ${address}`, () => expect(policy.allows(address)).to.equal(true));
  });

  describe("when private addresses are configured as allowed (MEDIA_FETCH_ALLOWED_PRIVATE_ADDRESSES)", () => {
    const loopback = createAddressPolicy(["127.0.0.1/32", "::1"]);
    it("allows exactly those, in either form, and still refuses the rest", () => {
      expect(loopback.allows("127.0.0.1")).to.equal(true);
      expect(loopback.allows("::ffff:127.0.0.1")).to.equal(true);
      expect(loopback.allows("::1")).to.equal(true);
      expect(loopback.allows("127.0.0.2")).to.equal(false);
      expect(loopback.allows("169.254.169.254")).to.equal(false);
      expect(loopback.allows("10.0.0.1")).to.equal(false);
    });
  });

  describe("parseCidr", () => {
    it("reads blocks and bare addresses, and refuses anything else", () => {
      expect(parseCidr("10.0.0.0/8")).to.deep.equal({ network: "10.0.0.0", bits: 8, family: "ipv4" });
      expect(parseCidr("::1")).to.deep.equal({ network: "::1", bits: 128, family: "ipv6" });
      for (const bad of ["10.0.0.0/33", "::/129", "10.0.0.0/8/1", "example.com/8", "10.0.0.0/x", ""]) expect(() => parseCidr(bad), bad).to.throw();
    });
  });

  describe("ipv6Bytes", () => {
    it("expands :: and a dotted tail", () => {
      expect([...ipv6Bytes("::ffff:1.2.3.4")!]).to.deep.equal([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
      expect([...ipv6Bytes("2001:db8::1")!]).to.deep.equal([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
      expect(ipv6Bytes("1.2.3.4")).to.equal(undefined);
    });
  });
});
