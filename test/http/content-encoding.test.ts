import { expect } from "chai";
import { preferredCoding } from "../../src/http/content-encoding.js";

describe("preferredCoding", () => {
  describe("when clients with different Accept-Encoding headers take turns", () => {
    it("answers each its own coding (the remembered last header never answers another)", () => {
      const cases: Array<[string | undefined, string | undefined]> = [
        ["br", "br"],
        ["gzip", "gzip"],
        ["gzip, br", "br"],
        ["br;q=0, gzip", "gzip"],
        ["identity", undefined],
        [undefined, undefined],
        ["*", "br"],
        ["*;q=0", undefined],
        ["br;q=0.5, gzip;q=0.9", "gzip"],
      ];
      for (let round = 0; round < 3; round++) {
        for (const [header, coding] of cases) expect(preferredCoding(header), String(header)).to.equal(coding);
        for (const [header, coding] of [...cases].reverse()) expect(preferredCoding(header), String(header)).to.equal(coding);
      }
    });
  });
});
