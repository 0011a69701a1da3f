import { expect } from "chai";
import type { ContentRecord } from "../../src/twilio/content-gateway.js";
import { ownedName } from "../../src/templates/template-ownership.js";
import { placeholdersOf, toTemplateView } from "../../src/templates/template-view.js";

const record = (friendlyName: string): ContentRecord => ({
  sid: `HX${"a".repeat(32)}`,
  friendlyName,
  language: "en",
  variables: {},
  types: { "twilio/text": { body: "Hi {{1}}, {{ name }} and {{1}} again" }, "twilio/media": { media: ["https://example.com/{{file}}"] } },
  whatsapp: null,
  dateCreated: new Date(0).toISOString(),
  dateUpdated: new Date(0).toISOString(),
});

describe("template views (tenants sharing one Twilio account)", () => {
  describe("when a template was created by another tenant of the same account", () => {
    it("is not the tenant's, even when that tenant's id starts the same way", () => {
      expect(toTemplateView("acme", record(ownedName("acme-eu", "Welcome")))).to.equal(undefined);
      expect(toTemplateView("acme", record("Welcome"))).to.equal(undefined);
      expect(toTemplateView("acme", record(ownedName("acme", "Welcome")))?.friendlyName).to.equal("Welcome");
    });
  });

  describe("when placeholders appear in several types", () => {
    it("lists each once, in order", () => {
      expect(placeholdersOf(record("x").types)).to.deep.equal(["1", "name", "file"]);
    });
  });
});
