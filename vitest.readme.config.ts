import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

/**
 * `npm run test:readme`: the README's quick start and worker line, verbatim, on a fresh clone
 * (test/readme/). Minutes long (a real npm install and first build), so CI runs it once, beside
 * `npm test`, which leaves test/readme/ out.
 */
export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["test/readme/**/*.test.ts"],
    environment: "node",
    testTimeout: 30 * 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
