/**
 * Bundles the storefront tracker and the lazily loaded overlay into the theme app extension's
 * assets/ (committed: `shopify app deploy` uploads them as they are), and enforces the size
 * budgets. `npm run build:storefront`.
 */
import { build } from "esbuild";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const EXT = path.join(ROOT, "extensions/intentful");

/**
 * gzip bytes: the tracker is everything a page loads by itself (issue 18: 4 KB). The rules
 * bundle follows the shopper's first action, the overlay a trigger firing.
 */
export const BUDGETS = { tracker: 4 * 1024, total: 16 * 1024 } as const;

export const BUNDLES = [
  { name: "intentful.js", entry: "src/tracker/index.ts", role: "tracker" },
  { name: "intentful-rules.js", entry: "src/rules/entry.ts", role: "rules" },
  { name: "intentful-overlay.js", entry: "src/overlay/entry.ts", role: "overlay" },
] as const;

export interface BuiltFile {
  name: string;
  role: string;
  bytes: number;
  gzip: number;
  code: string;
}

export interface BuildResult {
  files: BuiltFile[];
  trackerGzip: number;
  totalGzip: number;
  overBudget: string[];
}

export async function buildStorefront(options: { write?: boolean; outdir?: string } = {}): Promise<BuildResult> {
  const outdir = options.outdir ?? path.join(EXT, "assets");
  const files: BuiltFile[] = [];
  for (const b of BUNDLES) {
    const out = await build({
      absWorkingDir: ROOT,
      entryPoints: [path.join(EXT, b.entry)],
      bundle: true,
      format: "iife",
      target: ["es2020"],
      minify: true,
      legalComments: "none",
      charset: "utf8",
      platform: "browser",
      tsconfig: path.join(ROOT, "tsconfig.json"),
      write: false,
      logLevel: "silent",
    });
    const code = out.outputFiles[0].text;
    files.push({
      name: b.name,
      role: b.role,
      bytes: Buffer.byteLength(code),
      gzip: gzipSync(code, { level: 9 }).length,
      code,
    });
  }
  if (options.write !== false) {
    await mkdir(outdir, { recursive: true });
    for (const f of files) await writeFile(path.join(outdir, f.name), f.code);
  }
  const trackerGzip = files.filter((f) => f.role === "tracker").reduce((n, f) => n + f.gzip, 0);
  const totalGzip = files.reduce((n, f) => n + f.gzip, 0);
  const overBudget: string[] = [];
  if (trackerGzip > BUDGETS.tracker) overBudget.push(`tracker ${trackerGzip} B gzip > ${BUDGETS.tracker} B`);
  if (totalGzip > BUDGETS.total) overBudget.push(`all storefront assets ${totalGzip} B gzip > ${BUDGETS.total} B`);
  return { files, trackerGzip, totalGzip, overBudget };
}

async function main() {
  const r = await buildStorefront();
  for (const f of r.files) console.log(`${f.name.padEnd(24)} ${String(f.bytes).padStart(7)} B  ${String(f.gzip).padStart(6)} B gzip`);
  console.log(`${"tracker (before a trigger)".padEnd(24)} ${String(r.trackerGzip).padStart(17)} B gzip  (budget ${BUDGETS.tracker})`);
  console.log(`${"all storefront assets".padEnd(24)} ${String(r.totalGzip).padStart(17)} B gzip  (budget ${BUDGETS.total})`);
  if (r.overBudget.length) {
    for (const m of r.overBudget) process.stderr.write(`over budget: ${m}\n`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
    process.exit(1);
  });
}
