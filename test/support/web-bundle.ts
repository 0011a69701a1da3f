import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundleWeb, type BundleReport } from "../../src/web/bundle-web.js";

let built: Promise<BundleReport> | undefined;

/** The inbox page bundled from src/web/ once per test run, into a fresh directory (never the checkout's dist/). */
export function builtWebBundle(): Promise<BundleReport> {
  built ??= bundleWeb({ outDir: join(mkdtempSync(join(tmpdir(), "switchboard-web-")), "web") });
  return built;
}
