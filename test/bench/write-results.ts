import { mkdirSync, writeFileSync } from "node:fs";
import { sourceState } from "./source-state.js";

/** What every results file starts with: how the run was started, on what, when. */
export interface RunHeader {
  command: string;
  startedAt: Date;
  finishedAt: Date;
  machine: unknown;
}

/** Writes `test/bench/results/<fileName>` (git-ignored): the run's header, the commit measured, then `body`. */
export function writeResults(fileName: string, header: RunHeader, body: Record<string, unknown>): void {
  const resultsDir = new URL("./results/", import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  const report = {
    command: header.command,
    source: sourceState(),
    startedAt: header.startedAt.toISOString(),
    finishedAt: header.finishedAt.toISOString(),
    machine: header.machine,
    ...body,
  };
  writeFileSync(new URL(fileName, resultsDir), JSON.stringify(report, null, 2) + "\n");
  process.stdout.write(`written: test/bench/results/${fileName}\n`);
}
