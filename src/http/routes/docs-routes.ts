import { createRequire } from "node:module";
import { dirname } from "node:path";
import send from "koa-send";
import { isMap, isScalar, parseDocument } from "yaml";
import type { Contract } from "../openapi-contract.js";
import { rewritePath, type OperationHandler } from "../operation-router.js";

// The package's folder, found without loading its entry point (which would load the whole 1.5 MB bundle at boot).
const swaggerUiDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

/** The files of swagger-ui-dist the page uses; everything else there stays unserved. */
const ASSETS = new Set(["swagger-ui.css", "index.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png"]);

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Switchboard API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css" />
  <link rel="stylesheet" href="/docs/index.css" />
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png" />
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/switchboard-init.js"></script>
</body>
</html>
`;

const INIT = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.yaml",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "StandaloneLayout",
  });
};
`;

/**
 * The contract's text with its paths where this instance mounts them (PHP_COMPAT_BASE_PATH moves `/twilio/…`),
 * comments and order kept; the contract itself when nothing moved.
 */
export function servedContractText(contract: Contract, pathPrefixRewrites: Record<string, string>): string {
  const document = parseDocument(contract.text);
  const paths = document.get("paths");
  let moved = false;
  if (isMap(paths)) {
    for (const pair of paths.items) {
      if (!isScalar(pair.key) || typeof pair.key.value !== "string") continue;
      const mounted = rewritePath(pair.key.value, pathPrefixRewrites);
      if (mounted !== pair.key.value) {
        pair.key.value = mounted;
        moved = true;
      }
    }
  }
  return moved ? document.toString({ lineWidth: 0 }) : contract.text;
}

/** /openapi.yaml and /docs: the contract, raw and rendered by Swagger UI served from node_modules. */
export function docsHandlers(contract: Contract, pathPrefixRewrites: Record<string, string> = {}): Record<string, OperationHandler> {
  const text = servedContractText(contract, pathPrefixRewrites);
  return {
    getContract: () => ({ body: text, type: "application/yaml" }),
    getDocs: () => ({ body: PAGE, type: "text/html" }),
    getDocsAsset: async ({ params, ctx }) => {
      const asset = params.asset as string;
      if (asset === "switchboard-init.js") return { body: INIT, type: "application/javascript" };
      if (!ASSETS.has(asset)) return { status: 404, body: { error: { code: "not_found", message: `no such asset: ${asset}` } } };
      await send(ctx, asset, { root: swaggerUiDir, maxage: 24 * 60 * 60 * 1000 });
      return { status: 200, body: ctx.body };
    },
  };
}
