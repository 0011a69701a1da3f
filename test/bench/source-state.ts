import { execFileSync } from "node:child_process";

/** The commit measured, and whether src/ or the contract differed from it (other work may be in progress). */
export function sourceState(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src", "openapi.yaml"], {
      encoding: "utf8",
    }).trim();
    return dirty ? `${commit} + uncommitted changes in ${dirty.split("\n").length} src/contract file(s)` : commit;
  } catch {
    return "unknown (no git)";
  }
}
