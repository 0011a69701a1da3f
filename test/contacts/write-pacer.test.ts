import { expect } from "chai";
import { WritePacer } from "../../src/contacts/write-pacer.js";

describe("WritePacer", () => {
  describe("when 300 writes ask at once at 25 per second", () => {
    it("starts no more than 25 in any one-second window (Twilio allows 30 creates per second per service)", async () => {
      let clock = 0;
      const starts: number[] = [];
      const pacer = new WritePacer(25, () => clock, async (ms) => void (clock += ms));
      for (let i = 0; i < 300; i++) {
        await pacer.acquire();
        starts.push(clock);
      }
      for (const [i, start] of starts.entries()) {
        const inWindow = starts.slice(i).filter((t) => t < start + 1000).length;
        expect(inWindow, `window from ${start} ms`).to.be.at.most(25);
      }
      // And no slower than it must be: the ideal time for 300 writes at 25/s.
      expect(starts.at(-1)).to.be.closeTo(299 * 40, 1);
    });
  });
});
