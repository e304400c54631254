/**
 * Lints the theme app extension with Shopify's theme-check (config
 * `theme-check:theme-app-extension`). Offline it falls back to the Liquid docs bundled with
 * the package. Exits non-zero when there is any error; warnings are printed.
 * `tsx scripts/theme-check.ts [extension-dir]`
 */
import { Severity, themeCheckRun, type Offense } from "@shopify/theme-check-node";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const EXTENSION_DIR = path.join(ROOT, "extensions/intentful");
export const THEME_CHECK_CONFIG = "theme-check:theme-app-extension";

export interface ThemeCheckReport {
  offenses: Offense[];
  errors: Offense[];
  /** one line per offense: "ERROR blocks/x.liquid:12:3 CheckName: message" */
  lines: string[];
}

const SEVERITY = ["ERROR", "WARNING", "INFO"];

export async function runThemeCheck(dir = EXTENSION_DIR): Promise<ThemeCheckReport> {
  const { offenses } = await themeCheckRun(dir, THEME_CHECK_CONFIG, () => {});
  const lines = offenses.map((o) => {
    const file = path.relative(dir, fileURLToPath(o.uri));
    return `${SEVERITY[o.severity] ?? o.severity} ${file}:${o.start.line + 1}:${o.start.character + 1} ${o.check}: ${o.message}`;
  });
  return { offenses, errors: offenses.filter((o) => o.severity === Severity.ERROR), lines };
}

async function main() {
  const dir = process.argv[2] ? path.resolve(process.argv[2]) : EXTENSION_DIR;
  const report = await runThemeCheck(dir);
  for (const line of report.lines) process.stdout.write(`${line}\n`);
  process.stdout.write(
    `theme-check (${THEME_CHECK_CONFIG}): ${report.errors.length} error(s), ${report.offenses.length - report.errors.length} other offense(s)\n`,
  );
  if (report.errors.length) process.exit(1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : e}\n`);
    process.exit(1);
  });
}
