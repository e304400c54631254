/**
 * Page-load bytes beside two storefront peers (bench `peers` section), all gzip -9:
 *
 * - GrowthBook's browser SDK (@growthbook/growthbook): what a page loads to evaluate features —
 *   an entry (ENTRIES below) that imports GrowthBook, makes an instance (client key, attributes, tracking
 *   callback), fetches its features with `init()` and evaluates one — bundled by esbuild the way
 *   scripts/build-storefront.ts bundles ours (IIFE, minified, es2020, browser);
 * - ouibounce (github.com/carlsednaoui/ouibounce, ~3k stars, the best-known bare exit-intent
 *   library on npm): an entry that arms it on a modal element, bundled the same way;
 * - ours: extensions/intentful/assets/intentful.js as built (what the theme embed loads at page
 *   load), read when the section runs.
 *
 * Ratios are theirs ÷ ours: how many times our page-load bytes each peer needs. Not like for like:
 * GrowthBook evaluates flags and experiments but detects no shopper signal and shows nothing;
 * ouibounce detects exit intent and shows a prepared element, nothing else; ours does signals,
 * rules, holdouts and event batching, and loads the overlay only when a trigger fires.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const root = path.resolve(import.meta.dirname, "../..");
const gzip9 = (bytes: Uint8Array) => gzipSync(bytes, { level: 9 }).length;
const version = (pkg: string) => (JSON.parse(readFileSync(path.join(root, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;

const ENTRIES = {
  growthbook: {
    package: "@growthbook/growthbook",
    source: `import { GrowthBook } from "@growthbook/growthbook";
const gb = new GrowthBook({
  apiHost: "https://cdn.growthbook.io",
  clientKey: "sdk-bench",
  attributes: { id: localStorage.getItem("visitor") || "anonymous", url: location.href },
  trackingCallback: (experiment, result) => navigator.sendBeacon("/track", JSON.stringify([experiment.key, result.key])),
});
gb.init({ timeout: 2000 }).then(() => {
  if (gb.isOn("exit-offer")) document.documentElement.dataset.offer = String(gb.getFeatureValue("exit-offer-copy", ""));
});
`,
  },
  exitIntent: {
    package: "ouibounce",
    source: `import ouibounce from "ouibounce";
ouibounce(document.getElementById("exit-offer"), { sensitivity: 20, timer: 1000, callback: () => navigator.sendBeacon("/track", "exit-offer") });
`,
  },
};

/** One peer's entry bundled (IIFE, minified, es2020, browser): its minified and gzip -9 bytes. */
async function bundle(dir: string, name: string, source: string) {
  const entry = path.join(dir, `${name}.js`);
  writeFileSync(entry, source);
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: "iife",
    target: ["es2020"],
    platform: "browser",
    minify: true,
    legalComments: "none",
    nodePaths: [path.join(root, "node_modules")],
    logLevel: "silent",
  });
  const js = out.outputFiles[0].contents;
  return { minBytes: js.length, gzipBytes: gzip9(js) };
}

export async function benchPeerStorefront() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "intentful-peers-"));
  try {
    const ours = readFileSync(path.join(root, "extensions/intentful/assets/intentful.js"));
    const oursFigures = { file: "extensions/intentful/assets/intentful.js", minBytes: ours.length, gzipBytes: gzip9(ours) };
    const peer = async (key: keyof typeof ENTRIES) => {
      const e = ENTRIES[key];
      return { package: e.package, version: version(e.package), ...(await bundle(dir, key, e.source)) };
    };
    const growthbook = await peer("growthbook");
    const exitIntent = await peer("exitIntent");
    const over = (x: { gzipBytes: number }) => +(x.gzipBytes / oursFigures.gzipBytes).toFixed(2);
    return {
      ours: oursFigures,
      growthbook,
      exitIntent,
      /** theirs ÷ ours, gzip -9 bytes at page load (above 1: the peer loads more than we do) */
      ratio: { growthbookOverOurs: over(growthbook), exitIntentOverOurs: over(exitIntent) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchPeerStorefront(), null, 1));
}
