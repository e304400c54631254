import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    // The README's fresh-clone check is minutes long: `npm run test:readme` (vitest.readme.config.ts).
    exclude: ["**/node_modules/**", "test/readme/**"],
    environment: "node",
    setupFiles: ["test/setup/env.ts", "test/setup/console.ts"],
    globalSetup: ["test/setup/global.ts"],
    testTimeout: 30_000,
    hookTimeout: 180_000,
    // Database and browser tests share one machine with 2 cores; keep parallelism modest.
    maxWorkers: 2,
    fileParallelism: true,
  },
});
