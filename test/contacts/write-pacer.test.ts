import { expect } from "chai";
import { isUserWrite, WritePacer } from "../../src/contacts/write-pacer.js";

/**
 * Eight writers taking turns from a pacer at 25/s on a simulated clock until `count` have started: sleepers wake in
 * time order, except that nothing runs during a stall (everyone due in it wakes together at its end). `beforeTick`
 * runs before each wake-up with the clock's time. Answers when each write started.
 */
async function startsOnSimulatedClock(count: number, options: { stalls?: ReadonlyArray<readonly [number, number]>; beforeTick?: (pacer: WritePacer, clock: number) => void } = {}) {
  let clock = 0;
  const sleepers: Array<{ at: number; wake: () => void }> = [];
  const pacer = new WritePacer(25, () => clock, (ms) => new Promise<void>((wake) => sleepers.push({ at: clock + ms, wake })));
  const starts: number[] = [];
  const workers = Array.from({ length: 8 }, async () => {
    while (starts.length < count) {
      await pacer.acquire();
      starts.push(clock);
    }
  });
  let done = false;
  void Promise.all(workers).then(() => (done = true));
  while (!done) {
    await new Promise((resolve) => setImmediate(resolve)); // the woken run on to their next sleep
    options.beforeTick?.(pacer, clock);
    sleepers.sort((x, y) => x.at - y.at);
    const next = sleepers.shift();
    if (!next) continue;
    const stall = options.stalls?.find(([from, to]) => next.at >= from && next.at < to);
    clock = Math.max(clock, stall ? stall[1] : next.at);
    next.wake();
  }
  return starts;
}

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

  describe("when its timers fire late, several together (the machine was busy)", () => {
    it("still starts no more than 25 in any one-second window of the real clock", async () => {
      const starts = await startsOnSimulatedClock(200, { stalls: [[500, 800], [1900, 2300], [3100, 3250]] });
      for (const start of starts) {
        expect(starts.filter((t) => t >= start && t < start + 1000).length, `window from ${start} ms`).to.be.at.most(25);
      }
    });
  });

  describe("when Twilio refuses a write with 429 while others wait their turn", () => {
    it("starts none until the hold ends, then spaces the waiting ones as before", async () => {
      let held = false;
      const starts = await startsOnSimulatedClock(60, {
        // A write is answered 429 with Retry-After: 2 at 400 ms, while the next ones wait their turn.
        beforeTick: (pacer, clock) => {
          if (held || clock < 400) return;
          held = true;
          pacer.holdFor(2000);
        },
      });
      expect(held).to.equal(true);
      expect(starts.filter((t) => t > 400 && t < 2400), "starts during the hold").to.deep.equal([]);
      const after = starts.filter((t) => t >= 2400);
      expect(after[0]).to.be.closeTo(2400, 1);
      for (let i = 1; i < after.length; i++) expect(after[i]! - after[i - 1]!, `spacing after the hold (${i})`).to.be.closeTo(40, 1);
    });
  });

  describe("which calls count against the limit", () => {
    it("is User creates, updates and deletes of a service, not reads nor other resources", () => {
      const base = "https://conversations.twilio.com/v1/Services/IS0123/Users";
      expect(isUserWrite({ method: "POST", url: base })).to.equal(true);
      expect(isUserWrite({ method: "POST", url: `${base}/US0123` })).to.equal(true);
      expect(isUserWrite({ method: "DELETE", url: `${base}/US0123` })).to.equal(true);
      expect(isUserWrite({ method: "GET", url: `${base}/US0123` })).to.equal(false);
      expect(isUserWrite({ method: "POST", url: `${base}/US0123/Conversations/CH0123` })).to.equal(false);
      expect(isUserWrite({ method: "POST", url: "https://conversations.twilio.com/v1/Conversations/CH0123/Messages" })).to.equal(false);
    });
  });
});
