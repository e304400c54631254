/**
 * Compiles the processes production runs — the HTTP server (server.ts), the job worker and the
 * migration runner — from TypeScript into build/node/, so `npm start`, `npm run worker` and
 * `npm run setup` need no TypeScript runner (tsx is a development dependency). Packages stay
 * external (node_modules is installed beside the build); the app's own modules are bundled, and
 * what only the demo loads (the mocked Admin API and its msw) stays in chunks that production
 * never imports. Runs as the last step of `npm run build`.
 */
import { build, type Metafile } from "esbuild";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const NODE_ENTRIES = ["server.ts", "scripts/worker.ts", "scripts/migrate.ts"];

export async function buildServer(outdir = path.join(ROOT, "build/node")): Promise<Metafile> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: NODE_ENTRIES.map((entry) => path.join(ROOT, entry)),
    outbase: ROOT,
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node22",
    packages: "external",
    sourcemap: true,
    tsconfig: path.join(ROOT, "tsconfig.json"),
    logLevel: "warning",
    metafile: true,
  });
  return result.metafile;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildServer();
  console.log(`built ${NODE_ENTRIES.join(", ")} → build/node/`);
}
