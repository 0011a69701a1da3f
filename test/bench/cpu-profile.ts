import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join } from "node:path";

/**
 * With `BENCH_CPU_PROFILE_DIR` set, records a CPU profile of this process (the server side: gateway + emulator)
 * while `measure` runs and writes it there as `<name>.cpuprofile` (open it in Chrome DevTools). Profiling slows the
 * server down: figures of a profiled run are not comparable with others.
 */
export async function profiled<T>(name: string, measure: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_CPU_PROFILE_DIR;
  if (!dir) return measure();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await measure();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name.replace(/[^\w.-]+/g, "-")}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
