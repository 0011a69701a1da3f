import { expect } from "chai";
import { AppError } from "../../src/errors.js";
import {
  ATTRIBUTES_MAX_BYTES,
  SUMMARY_BODY_MAX_CHARS,
  SUMMARY_MAX_PARTICIPANTS,
  mergeAttributes,
  parseAttributes,
  serializeAttributes,
  withLatestMessage,
  withParticipants,
  type ConversationAttributes,
} from "../../src/inbox/conversation-attributes.js";
import type { MessageRecord, ParticipantRecord } from "../../src/inbox/inbox-types.js";

const CONVERSATION_SID = `CH${"1".repeat(32)}`;

const message = (index: number, overrides: Partial<MessageRecord> = {}): MessageRecord => ({
  sid: `IM${String(index).padStart(32, "0")}`,
  conversationSid: CONVERSATION_SID,
  index,
  author: "agent-1",
  body: `message ${index}`,
  attributes: "{}",
  participantSid: null,
  delivery: null,
  dateCreated: "2025-01-01T00:00:00.000Z",
  dateUpdated: "2025-01-01T00:00:00.000Z",
  ...overrides,
});

const participant = (i: number, attributes = "{}"): ParticipantRecord => ({
  sid: `MB${String(i).padStart(32, "0")}`,
  conversationSid: CONVERSATION_SID,
  identity: `agent-${i}`,
  attributes,
  messagingBinding: null,
  dateCreated: "2025-01-01T00:00:00.000Z",
  dateUpdated: "2025-01-01T00:00:00.000Z",
});

/** Runs `work` expecting an AppError; returns it. */
function appErrorOf(work: () => unknown): AppError {
  try {
    work();
  } catch (error) {
    expect(error).to.be.instanceOf(AppError);
    return error as AppError;
  }
  expect.fail("expected an AppError");
}

describe("parseAttributes", () => {
  describe("when the JSON is an object", () => {
    it("returns it", () => {
      expect(parseAttributes('{"channel":"SMS","crm":{"id":7}}')).to.deep.equal({ channel: "SMS", crm: { id: 7 } });
    });
  });

  for (const [situation, json] of [
    ["the JSON is an array", "[1,2]"],
    ["the JSON is null", "null"],
    ["the JSON is a number", "42"],
    ["the JSON is a string", '"text"'],
    ["the text is not JSON", "{broken"],
    ["the text is empty", ""],
    ["there is no text", null],
    ["the value is undefined", undefined],
  ] as const) {
    describe(`when ${situation}`, () => {
      it("reads as {}", () => {
        expect(parseAttributes(json)).to.deep.equal({});
      });
    });
  }
});

describe("mergeAttributes", () => {
  const current: ConversationAttributes = {
    channel: "SMS",
    unreadCount: 2,
    isStarred: false,
    contactDetails: { phone: "+15550000001", email: "old@example.com", tags: ["a"] },
    summary: { latestMessage: null },
    crmId: "crm-1",
  };

  describe("when the patch names top-level keys", () => {
    it("replaces them and keeps every other key, known or not", () => {
      const merged = mergeAttributes(current, { isStarred: true, unreadCount: 0 });

      expect(merged).to.deep.equal({ ...current, isStarred: true, unreadCount: 0 });
    });
  });

  describe("when the patch names contactDetails keys", () => {
    it("merges them key by key", () => {
      const merged = mergeAttributes(current, { contactDetails: { email: "new@example.com", dnd: true } });

      expect(merged.contactDetails).to.deep.equal({ phone: "+15550000001", email: "new@example.com", tags: ["a"], dnd: true });
    });
  });

  describe("when there are no contactDetails yet", () => {
    it("starts them from the patch", () => {
      expect(mergeAttributes({}, { contactDetails: { ownerId: "agent-2" } })).to.deep.equal({ contactDetails: { ownerId: "agent-2" } });
    });
  });

  describe("when a patch value is undefined", () => {
    it("leaves that key as it was", () => {
      expect(mergeAttributes(current, { isStarred: undefined, unreadCount: 5 })).to.deep.include({ isStarred: false, unreadCount: 5 });
    });
  });

  describe("when merging", () => {
    it("does not modify the current attributes", () => {
      const before = structuredClone(current);

      mergeAttributes(current, { isStarred: true, contactDetails: { email: "x@example.com" } });

      expect(current).to.deep.equal(before);
    });
  });
});

describe("withLatestMessage", () => {
  describe("when there is no latest message yet", () => {
    it("records the message and keeps the rest of the summary", () => {
      const participants = [participant(1)];

      const next = withLatestMessage({ isStarred: true, summary: { latestMessage: null, participants } }, message(0));

      expect(next.summary).to.deep.equal({ latestMessage: message(0), participants });
      expect(next.isStarred).to.equal(true);
    });
  });

  describe("when the message has a higher index than the recorded one", () => {
    it("replaces it", () => {
      const next = withLatestMessage({ summary: { latestMessage: message(3) } }, message(4));

      expect(next.summary!.latestMessage!.index).to.equal(4);
    });
  });

  describe("when the message has a lower or equal index", () => {
    it("keeps the recorded one", () => {
      const attributes: ConversationAttributes = { summary: { latestMessage: message(5, { body: "newer" }) } };

      expect(withLatestMessage(attributes, message(4)).summary!.latestMessage!.body).to.equal("newer");
      expect(withLatestMessage(attributes, message(5, { body: "same index" })).summary!.latestMessage!.body).to.equal("newer");
    });
  });

  describe("when the body is longer than the preview", () => {
    it(`cuts it to ${SUMMARY_BODY_MAX_CHARS} characters`, () => {
      const next = withLatestMessage({}, message(0, { body: "b".repeat(1600) }));

      expect(next.summary!.latestMessage!.body).to.equal("b".repeat(SUMMARY_BODY_MAX_CHARS));
    });

    it("never cuts a character in half", () => {
      const body = `${"a".repeat(SUMMARY_BODY_MAX_CHARS - 1)}😀 and more`;

      const preview = withLatestMessage({}, message(0, { body })).summary!.latestMessage!.body!;

      expect(preview.length).to.be.at.most(SUMMARY_BODY_MAX_CHARS + 1);
      expect(preview, "no lone surrogate at the cut").not.to.match(/[\uD800-\uDBFF]$/);
    });
  });

  describe("when the message has no body (media only)", () => {
    it("records it with a null body", () => {
      expect(withLatestMessage({}, message(0, { body: null })).summary!.latestMessage!.body).to.equal(null);
    });
  });
});

describe("withParticipants", () => {
  describe(`when there are at most ${SUMMARY_MAX_PARTICIPANTS} participants`, () => {
    it("records them in the summary", () => {
      const participants = Array.from({ length: SUMMARY_MAX_PARTICIPANTS }, (_, i) => participant(i));

      expect(withParticipants({ summary: { latestMessage: null } }, participants).summary).to.deep.equal({ latestMessage: null, participants });
    });
  });

  describe(`when there are more than ${SUMMARY_MAX_PARTICIPANTS}`, () => {
    it("stops listing them (the list fetches them instead)", () => {
      const many = Array.from({ length: SUMMARY_MAX_PARTICIPANTS + 1 }, (_, i) => participant(i));

      const next = withParticipants({ summary: { latestMessage: null, participants: [participant(0)] } }, many);

      expect(next.summary).to.deep.equal({ latestMessage: null });
    });
  });
});

describe("serializeAttributes", () => {
  /** 20 participants whose attributes add up to about 20 KB. */
  const heavyParticipants = Array.from({ length: SUMMARY_MAX_PARTICIPANTS }, (_, i) =>
    participant(i, JSON.stringify({ note: "p".repeat(1000) })),
  );
  const callerData = { channel: "SMS" as const, unreadCount: 1, contactDetails: { tags: ["vip"] }, crmId: "crm-9" };

  describe("when the attributes fit", () => {
    it("returns their JSON unchanged", () => {
      const attributes: ConversationAttributes = { ...callerData, summary: { latestMessage: message(0), participants: [participant(1)] } };

      expect(serializeAttributes(attributes)).to.equal(JSON.stringify(attributes));
    });
  });

  describe("when the summary's participants push it over 16 KB", () => {
    it("drops the participants first and keeps the latest message and the caller's data", () => {
      const attributes: ConversationAttributes = { ...callerData, summary: { latestMessage: message(7), participants: heavyParticipants } };

      const json = serializeAttributes(attributes);

      expect(Buffer.byteLength(json)).to.be.at.most(ATTRIBUTES_MAX_BYTES);
      const parsed = JSON.parse(json);
      expect(parsed.summary).to.deep.equal({ latestMessage: message(7) });
      expect(parsed).to.deep.include(callerData);
    });

    it("keeps the record that there is no message yet", () => {
      const attributes: ConversationAttributes = { ...callerData, summary: { latestMessage: null, participants: heavyParticipants } };

      const parsed = JSON.parse(serializeAttributes(attributes));

      expect(parsed.summary).to.deep.equal({ latestMessage: null });
      expect(parsed).to.deep.include(callerData);
    });
  });

  describe("when even the latest message does not fit", () => {
    it("drops the whole summary and keeps the caller's data", () => {
      const big = message(2, { attributes: JSON.stringify({ blob: "m".repeat(17_000) }) });
      const attributes: ConversationAttributes = { ...callerData, summary: { latestMessage: big, participants: heavyParticipants } };

      const json = serializeAttributes(attributes);

      expect(JSON.parse(json)).to.deep.equal(callerData);
    });
  });

  describe("when the caller's own data is over 16 KB", () => {
    it("refuses with a 400 naming the field", () => {
      const attributes: ConversationAttributes = { ...callerData, notes: "n".repeat(ATTRIBUTES_MAX_BYTES), summary: { latestMessage: null } };

      const error = appErrorOf(() => serializeAttributes(attributes, "contactDetails"));

      expect(error.code).to.equal("validation_failed");
      expect(error.status).to.equal(400);
      expect(error.options.field).to.equal("contactDetails");
    });

    it("names attributes when no field is given", () => {
      expect(appErrorOf(() => serializeAttributes({ notes: "n".repeat(ATTRIBUTES_MAX_BYTES) })).options.field).to.equal("attributes");
    });
  });

  describe("when the JSON is exactly at the limit", () => {
    it("accepts it, and refuses one byte more", () => {
      const filler = (extra: number) => ({ k: "x".repeat(ATTRIBUTES_MAX_BYTES - '{"k":""}'.length + extra) });

      expect(Buffer.byteLength(serializeAttributes(filler(0)))).to.equal(ATTRIBUTES_MAX_BYTES);
      expect(() => serializeAttributes(filler(1))).to.throw(AppError);
    });
  });

  describe("when the text is multi-byte", () => {
    it("counts UTF-8 bytes, not characters", () => {
      const euros = { note: "€".repeat(6000) }; // 6,000 characters, 18,000 bytes

      expect(() => serializeAttributes(euros)).to.throw(AppError);
    });
  });
});
