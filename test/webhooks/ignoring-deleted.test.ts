import { expect } from "chai";
import { AppError } from "../../src/errors.js";
import { isDeletedInTwilio } from "../../src/twilio/twilio-error.js";
import { ignoringDeleted } from "../../src/webhooks/ignoring-deleted.js";

const twilioNotFound = (twilioCode?: number) => new AppError("not_found", "Not found", { upstream: { twilioCode } });
const failing = (error: unknown) => Promise.reject(error);

describe("ignoringDeleted", () => {
  describe("when Twilio answered 404 with its code 20404 (the resource was deleted)", () => {
    it("resolves to deleted", async () => {
      expect(isDeletedInTwilio(twilioNotFound(20404))).to.equal(true);
      expect(await ignoringDeleted(failing(twilioNotFound(20404)))).to.equal("deleted");
    });
  });

  describe("when the work succeeds", () => {
    it("resolves to its result", async () => {
      expect(await ignoringDeleted(Promise.resolve("applied"))).to.equal("applied");
    });
  });

  for (const [situation, error] of [
    ["a 404 of the gateway's own (a lookup or cache miss, no Twilio code)", new AppError("not_found", "no conversation with +15550001")],
    ["a 404 without Twilio's error body (something else answered)", twilioNotFound(undefined)],
    ["a 404 with another Twilio code", twilioNotFound(20001)],
    ["an unknown tenant", new AppError("tenant_not_found", "no tenant")],
  ] as const) {
    describe(`when the failure is ${situation}`, () => {
      it("is not ignored: it becomes 503, so Twilio retries", async () => {
        expect(isDeletedInTwilio(error)).to.equal(false);
        const thrown = await ignoringDeleted(failing(error)).catch((caught: unknown) => caught);
        expect(thrown).to.be.instanceOf(AppError);
        expect((thrown as AppError).status).to.equal(503);
        expect((thrown as AppError).options.retryAfterSeconds).to.be.greaterThan(0);
      });
    });
  }

  describe("when Twilio was unavailable", () => {
    it("passes the failure on unchanged", async () => {
      const unavailable = new AppError("upstream_unavailable", "Twilio is busy or unavailable; retry later", { retryAfterSeconds: 5 });
      expect(await ignoringDeleted(failing(unavailable)).catch((caught: unknown) => caught)).to.equal(unavailable);
    });
  });
});
