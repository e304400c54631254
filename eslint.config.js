import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: ["build/**", "node_modules/**", "extensions/*/assets/**", "public/**", "bench/results/**", "**/*.d.ts"],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      // Json columns and library boundaries are typed at the zod edge; `any` stays rare and local.
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/no-unsafe-function-type": "off",
      "no-console": ["error", { allow: ["warn", "error", "info", "table"] }],
    },
  },
  {
    files: ["test/**", "bench/**", "scripts/**"],
    rules: { "no-console": "off" },
  },
);
