import { expect } from "chai";
import { InboxCache } from "../../src/cache/inbox-cache.js";
import { ConversationDirectory } from "../../src/inbox/conversation-directory.js";
import type { ConversationRecord } from "../../src/inbox/inbox-types.js";
import { InMemoryRecentActivity, type RecentActivity } from "../../src/inbox/recent-activity.js";
import type { ConversationsGateway } from "../../src/twilio/conversations-gateway.js";

const record = (sid: string, day: number): ConversationRecord => {
  const at = new Date(Date.UTC(2024, 0, 1 + day)).toISOString();
  return { sid, accountSid: "AC1", chatServiceSid: "IS1", friendlyName: sid, uniqueName: null, attributes: "{}", state: "active", dateCreated: at, dateUpdated: at };
};

describe("InMemoryRecentActivity", () => {
  describe("when conversations are touched", () => {
    it("answers the most recently active first, keeps the later time of a conversation, and forgets a removed one", async () => {
      const record = new InMemoryRecentActivity(10);
      record.touch("t", { sid: "CHa", ms: 1_000 });
      record.touch("t", { sid: "CHb", ms: 2_000 });
      record.touch("t", { sid: "CHa", ms: 500 }); // an older report does not move it back
      record.touch("other", { sid: "CHz", ms: 9_000 });
      expect(await record.recent("t", 10)).to.deep.equal([{ sid: "CHb", ms: 2_000 }, { sid: "CHa", ms: 1_000 }]);
      record.remove("t", "CHb");
      expect(await record.recent("t", 10)).to.deep.equal([{ sid: "CHa", ms: 1_000 }]);
    });

    it("holds at most its bound per tenant past a trim, dropping the least recently active", async () => {
      const record = new InMemoryRecentActivity(10);
      for (let i = 0; i < 12; i++) record.touch("t", { sid: `CH${i}`, ms: i });
      const kept = await record.recent("t", 100);
      expect(kept).to.have.length(10);
      expect(kept[0]).to.deep.equal({ sid: "CH11", ms: 11 });
      expect(kept.map((m) => m.sid)).to.not.include.members(["CH0", "CH1"]);
    });
  });
});

describe("ConversationDirectory and its record of recent activity", () => {
  const gateway = {
    async *conversationPagesNewestFirst() {
      yield [record("CHnew", 300), record("CHmid", 200)];
    },
    async fetchConversation(sid: string) {
      return record(sid, 1);
    },
  } as unknown as ConversationsGateway;
  const directoryWith = (recentActivity: RecentActivity) =>
    new ConversationDirectory(new InboxCache({ maxEntries: 1_000, maxBytes: 10_000_000, ttlMs: 60_000 }), gateway, "t", {
      indexLimit: 100,
      concurrency: 2,
      recentActivity,
    });

  describe("when the record never answers (Redis away, its commands queued)", () => {
    it("loads the index from Twilio's newest conversations alone instead of waiting for it", async () => {
      const directory = directoryWith({ touch() {}, remove() {}, recent: () => new Promise(() => {}) });
      const { conversations } = await directory.ranked();
      expect(conversations.map((c) => c.sid)).to.deep.equal(["CHnew", "CHmid"]);
    });
  });

  describe("when the record holds an old conversation active lately", () => {
    it("ranks it by its recorded activity, ahead of Twilio's newest, and reads its details only when listed", async () => {
      const activity = new InMemoryRecentActivity(100);
      activity.touch("t", { sid: "CHold", ms: Date.UTC(2024, 11, 31) });
      const directory = directoryWith(activity);
      const { conversations } = await directory.ranked();
      expect(conversations.map((c) => c.sid)).to.deep.equal(["CHold", "CHnew", "CHmid"]);
      expect(conversations[0]!.entry).to.equal(undefined);
      expect((await directory.entriesOf(conversations.slice(0, 1)))[0]!.record.sid).to.equal("CHold");
    });
  });
});

describe("ConversationDirectory on a cold start of a large tenant", () => {
  describe("when Twilio's further pages are slow", () => {
    it("ranks the newest page at once (not complete), while `all` waits for the whole index", async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const gateway = {
        async *conversationPagesNewestFirst(pageSize: number) {
          yield Array.from({ length: pageSize }, (_, i) => record(`CHfirst${i}`, 500 - i));
          await gate;
          yield [record("CHsecond", 1)];
        },
      } as unknown as ConversationsGateway;
      const directory = new ConversationDirectory(new InboxCache({ maxEntries: 1_000, maxBytes: 10_000_000, ttlMs: 60_000 }), gateway, "t", {
        indexLimit: 1_000,
        concurrency: 2,
      });
      const first = await directory.ranked();
      expect(first.complete).to.equal(false);
      expect(first.conversations.map((c) => c.sid)).to.have.length(100).and.to.include("CHfirst0");
      let all: unknown[] | undefined;
      const whole = directory.all().then((entries) => (all = entries));
      for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
      expect(all, "all() answered before the second page").to.equal(undefined);
      release();
      await whole;
      expect(all).to.have.length(101);
      const after = await directory.ranked();
      expect(after.complete).to.equal(true);
      expect(after.conversations.at(-1)!.sid).to.equal("CHsecond");
    });
  });
});
