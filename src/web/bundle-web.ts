import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

/** The page's entry point (TypeScript + JSX, Preact). */
export const WEB_ENTRY = fileURLToPath(new URL("./app/main.tsx", import.meta.url));

export interface BundleReport {
  outDir: string;
  /** File name → bytes as served, and gzipped. */
  files: Record<string, { bytes: number; gzipBytes: number }>;
  script: string;
  stylesheet: string;
}

/**
 * Bundles the inbox page with esbuild into `outDir`: one script and one stylesheet named by a hash of their content
 * (served for a year, immutable) and the `index.html` that names them (served `no-cache`). Everything the page runs
 * comes from the project's own node_modules; the HTML has no inline script or style (the page's CSP forbids them).
 */
export async function bundleWeb({ outDir, minify = true }: { outDir: string; minify?: boolean }): Promise<BundleReport> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: { inbox: WEB_ENTRY },
    bundle: true,
    outdir: outDir,
    entryNames: "[name]-[hash]",
    format: "esm",
    target: ["chrome111", "firefox115", "safari16.4"],
    jsx: "automatic",
    jsxImportSource: "preact",
    minify,
    sourcemap: false,
    legalComments: "none",
    metafile: true,
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "silent",
  });
  const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
  const script = outputs.find((name) => name.endsWith(".js"));
  const stylesheet = outputs.find((name) => name.endsWith(".css"));
  if (!script || !stylesheet) throw new Error(`the web build made no script or stylesheet: ${outputs.join(", ")}`);
  writeFileSync(join(outDir, "index.html"), pageHtml(script, stylesheet));
  const files: BundleReport["files"] = {};
  for (const path of Object.keys(result.metafile.outputs)) {
    const bytes = result.metafile.outputs[path]!.bytes;
    files[basename(path)] = { bytes, gzipBytes: gzipSync(readFileSync(path), { level: 9 }).length };
  }
  return { outDir, files, script, stylesheet };
}

/** The document: the app mounts into #app; the icon is empty so the browser asks for no /favicon.ico. */
function pageHtml(script: string, stylesheet: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>Switchboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app/${stylesheet}">
<script type="module" src="/app/${script}"></script>
</head>
<body>
<div id="app"><p class="boot">Loading the inbox…</p></div>
<noscript>The inbox page needs JavaScript. The API is described at <a href="/docs">/docs</a>.</noscript>
</body>
</html>
`;
}
