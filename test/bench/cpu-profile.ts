import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";

/** Where profiles go (`BENCH_CPU_PROFILE_DIR`), or undefined when profiling is off. */
export const cpuProfileDir = (): string | undefined => process.env.BENCH_CPU_PROFILE_DIR || undefined;

/** A CPU profile of this process, started now; `stop` writes it as `<dir>/<name>.cpuprofile`. */
export async function startCpuProfile(dir: string, name: string): Promise<{ stop(): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return {
    async stop() {
      const { profile } = await session.post("Profiler.stop");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, `${name.replace(/[^\w.-]+/g, "-")}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/**
 * With `BENCH_CPU_PROFILE_DIR` set, records a CPU profile of this process (the server side: gateway + emulator, or
 * the emulator alone while the gateway runs in its own process — that one profiles itself, see
 * gateway-process-worker.ts) while `measure` runs and writes it there as `<name>.cpuprofile` (open it in Chrome
 * DevTools, or `npx tsx test/bench/profile-summary.ts <file>`). Profiling slows the server down: figures of a
 * profiled run are not comparable with others.
 */
export async function profiled<T>(name: string, measure: () => Promise<T>): Promise<T> {
  const dir = cpuProfileDir();
  if (!dir) return measure();
  const profile = await startCpuProfile(dir, name);
  try {
    return await measure();
  } finally {
    await profile.stop();
  }
}
