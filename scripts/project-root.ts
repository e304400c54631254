import { existsSync } from "node:fs";
import path from "node:path";

/** The folder holding package.json, found from this module: scripts/ in the sources, build/node/ when built. */
export function projectRoot(): string {
  let dir = import.meta.dirname;
  for (;;) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}
