import { fileURLToPath } from "node:url";
import { bundleWeb } from "./bundle-web.js";

/** `npm run build` (after tsc): bundles the inbox page into dist/web/, where the gateway serves it from. */
const outDir = fileURLToPath(new URL("../../dist/web/", import.meta.url));
const report = await bundleWeb({ outDir });
const sizes = Object.entries(report.files)
  .map(([name, { bytes, gzipBytes }]) => `${name} ${(bytes / 1024).toFixed(1)} KiB (${(gzipBytes / 1024).toFixed(1)} KiB gzip)`)
  .join(", ");
process.stdout.write(`inbox page → dist/web/: ${sizes}\n`);
