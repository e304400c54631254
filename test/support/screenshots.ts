/**
 * Screenshot baselines: a PNG is compared with test/browser/__screenshots__/<name>.png by
 * pixelmatch (anti-aliasing ignored, per-pixel colour threshold 0.1); more than `maxDiffRatio`
 * of the pixels differing fails, and the actual image and the diff are written beside the
 * baseline as <name>.actual.png / <name>.diff.png (git-ignored) to look at.
 *
 * A missing baseline is written and the test passes, except under CI (a baseline must be
 * committed there). `UPDATE_SCREENSHOTS=1` rewrites every baseline the run takes: look at the
 * images before committing them.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";

export const SCREENSHOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../browser/__screenshots__");

export interface ScreenshotResult {
  /** "new", "updated", or the share of differing pixels against the baseline */
  status: "new" | "updated" | "compared";
  diffRatio: number;
  diffPixels: number;
}

export function compareScreenshot(name: string, actual: Buffer, maxDiffRatio = 0.002): ScreenshotResult {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  const actualFile = path.join(SCREENSHOT_DIR, `${name}.actual.png`);
  const diffFile = path.join(SCREENSHOT_DIR, `${name}.diff.png`);
  rmSync(actualFile, { force: true });
  rmSync(diffFile, { force: true });
  if (process.env.UPDATE_SCREENSHOTS === "1" || (!existsSync(file) && !process.env.CI)) {
    const existed = existsSync(file);
    writeFileSync(file, actual);
    return { status: existed ? "updated" : "new", diffRatio: 0, diffPixels: 0 };
  }
  if (!existsSync(file))
    throw new Error(`No baseline for screenshot ${name}: run the test locally (or with UPDATE_SCREENSHOTS=1) and commit ${path.relative(process.cwd(), file)}`);
  const a = PNG.sync.read(actual);
  const b = PNG.sync.read(readFileSync(file));
  if (a.width !== b.width || a.height !== b.height) {
    writeFileSync(actualFile, actual);
    throw new Error(`Screenshot ${name} is ${a.width}×${a.height}, its baseline ${b.width}×${b.height} (actual written to ${actualFile})`);
  }
  const diff = new PNG({ width: a.width, height: a.height });
  const diffPixels = pixelmatch(a.data, b.data, diff.data, a.width, a.height, { threshold: 0.1 });
  const diffRatio = diffPixels / (a.width * a.height);
  if (diffRatio > maxDiffRatio) {
    writeFileSync(actualFile, actual);
    writeFileSync(diffFile, PNG.sync.write(diff));
    throw new Error(
      `Screenshot ${name} differs from its baseline in ${diffPixels} pixels (${(diffRatio * 100).toFixed(2)} % > ${(maxDiffRatio * 100).toFixed(2)} %): see ${actualFile} and ${diffFile}`,
    );
  }
  return { status: "compared", diffRatio, diffPixels };
}
