import { expect } from "chai";
import type { Context } from "mocha";
import { isInstalled, notRunReport, requireSystemProgram, REQUIRE_ALL_VARIABLE, type NotRunSuites, type SystemProgram } from "./system-programs.js";

describe("suites that need a system program (test support)", () => {
  const missing: SystemProgram = { command: "switchboard-no-such-program", versionArgs: ["--version"], install: "apt-get install -y nothing" };
  const present: SystemProgram = { command: process.execPath, versionArgs: ["--version"], install: "(node itself)" };
  // Its own record, so these made-up suites stay out of the report printed after the real run.
  let notRun: NotRunSuites;
  beforeEach(() => {
    notRun = new Map();
  });
  const fakeContext = (title: string) => {
    let skipped = false;
    const context = { test: { parent: { fullTitle: () => title } }, skip: () => void (skipped = true) } as unknown as Context;
    return { context, skipped: () => skipped };
  };

  describe("when the program is installed", () => {
    it("lets the suite run and reports nothing for it", () => {
      const { context, skipped } = fakeContext("suite with node");
      requireSystemProgram(context, present, { env: {}, notRun });
      expect(isInstalled(present)).to.equal(true);
      expect(skipped()).to.equal(false);
      expect(notRunReport(notRun)).to.equal(undefined);
    });
  });

  describe("when the program is missing", () => {
    it("skips the suite and names it, with the install line, in the report printed at the end", () => {
      const { context, skipped } = fakeContext("suite needing a missing program");
      requireSystemProgram(context, missing, { env: {}, notRun });
      expect(skipped()).to.equal(true);
      expect(notRunReport(notRun)).to.contain('"suite needing a missing program": needs switchboard-no-such-program (apt-get install -y nothing)');
    });

    it(`fails instead when ${REQUIRE_ALL_VARIABLE}=1 (CI installs every program, so nothing may be skipped there)`, () => {
      const { context, skipped } = fakeContext("suite in CI");
      expect(() => requireSystemProgram(context, missing, { env: { [REQUIRE_ALL_VARIABLE]: "1" }, notRun })).to.throw(/switchboard-no-such-program is not on PATH/);
      expect(skipped()).to.equal(false);
    });
  });
});
