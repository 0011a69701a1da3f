import { spawnSync } from "node:child_process";
import type { Context } from "mocha";

/**
 * Suites that need a program from the operating system (a real Redis now, a browser later). On a machine without
 * it, such a suite does not run and is reported by name with the line that installs it, and the run still passes;
 * with SWITCHBOARD_REQUIRE_SYSTEM_PROGRAMS=1 (set by .ci/run, which installs them) a missing program is a failure,
 * so CI always runs everything.
 */
export interface SystemProgram {
  command: string;
  /** Arguments that make it print its version and exit. */
  versionArgs: readonly string[];
  /** How to install it on Debian/Ubuntu. */
  install: string;
}

export const REDIS_SERVER: SystemProgram = { command: "redis-server", versionArgs: ["--version"], install: "apt-get install -y redis-server" };
/** Debian's Chromium, driven by playwright-core in test/web/ (Playwright's own browser downloads need the internet). */
export const CHROMIUM: SystemProgram = { command: "/usr/bin/chromium", versionArgs: ["--version"], install: "apt-get install -y chromium" };

/** The OpenSSL command line, for a throwaway certificate authority in tests of https clients (test/support/https-test-server.ts). */
export const OPENSSL: SystemProgram = { command: "openssl", versionArgs: ["version"], install: "apt-get install -y openssl" };

export const REQUIRE_ALL_VARIABLE = "SWITCHBOARD_REQUIRE_SYSTEM_PROGRAMS";

const availability = new Map<string, boolean>();
/** Suite title → the program it lacked. */
export type NotRunSuites = Map<string, SystemProgram>;
const notRunInThisRun: NotRunSuites = new Map();

export function isInstalled(program: SystemProgram): boolean {
  let known = availability.get(program.command);
  if (known === undefined) {
    const probe = spawnSync(program.command, [...program.versionArgs], { stdio: "ignore", timeout: 10_000 });
    known = !probe.error && probe.status === 0;
    availability.set(program.command, known);
  }
  return known;
}

/**
 * Call first in a suite's `before` hook (a `function`, not an arrow, so mocha's context is `this`): when the program
 * is missing, the suite's tests are marked pending and the suite is remembered for the report at the end.
 */
export function requireSystemProgram(
  context: Context,
  program: SystemProgram,
  { env = process.env, notRun = notRunInThisRun }: { env?: NodeJS.ProcessEnv; notRun?: NotRunSuites } = {},
): void {
  if (isInstalled(program)) return;
  if (env[REQUIRE_ALL_VARIABLE] === "1")
    throw new Error(`${program.command} is not on PATH and ${REQUIRE_ALL_VARIABLE}=1: install it (${program.install})`);
  const suite = context.test?.parent?.fullTitle() || "(unnamed suite)";
  notRun.set(suite, program);
  context.skip();
}

/** The lines printed after the run: which suites did not run, and why. */
export function notRunReport(notRun: NotRunSuites = notRunInThisRun): string | undefined {
  if (notRun.size === 0) return undefined;
  const lines = [...notRun].map(([suite, program]) => `  - "${suite}": needs ${program.command} (${program.install})`);
  return [
    "",
    `NOT RUN: ${notRun.size} suite(s) need a program this machine does not have; the rest of the run is unaffected.`,
    ...lines,
    `Install it and run npm test again; CI (.ci/run) installs these and sets ${REQUIRE_ALL_VARIABLE}=1 so they always run.`,
    "",
  ].join("\n");
}

// Printed as the process exits, after mocha's own summary, where a person reading the run looks last.
process.once("exit", () => {
  const report = notRunReport();
  if (report) process.stderr.write(`${report}\n`);
});
