import { expect } from "chai";
import { parseFlatForm } from "../../src/http/flat-form.js";

describe("parseFlatForm", () => {
  it("keeps keys flat as sent: dots and brackets are part of the name", () => {
    expect({ ...parseFlatForm("MessagingBinding.Address=%2B15551234567&a[b]=1&c.d[e]=2") }).to.deep.equal({
      "MessagingBinding.Address": "+15551234567",
      "a[b]": "1",
      "c.d[e]": "2",
    });
  });

  it("decodes + as a space and percent escapes, leaving a broken escape as sent", () => {
    expect({ ...parseFlatForm("Body=hi+there%21%F0%9F%91%8B&Bad=%zz") }).to.deep.equal({ Body: "hi there!👋", Bad: "%zz" });
  });

  it("collects a repeated key into an array in the order sent", () => {
    expect({ ...parseFlatForm("To=a&From=x&To=b&To=c") }).to.deep.equal({ To: ["a", "b", "c"], From: "x" });
  });

  it("takes `__proto__` and `constructor` as ordinary field names", () => {
    const form = parseFlatForm("__proto__=x&constructor=y");
    expect(Object.keys(form)).to.deep.equal(["__proto__", "constructor"]);
    expect(form["__proto__"]).to.equal("x");
    expect(({} as Record<string, unknown>).x).to.equal(undefined);
  });
});
