import tseslint from "typescript-eslint";
import reactHooks from "eslint-plugin-react-hooks";

export default tseslint.config(
  {
    ignores: ["build/**", "node_modules/**", "extensions/*/assets/**", "public/**", "bench/results/**", "app/models/generated/**", "**/*.d.ts"],
  },
  ...tseslint.configs.recommended,
  {
    files: ["app/**/*.tsx"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error", "react-hooks/exhaustive-deps": "warn" },
  },
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
  // The layers (docs/architecture.md): domain → models → services → routes, components beside
  // routes, the storefront beside the app. A layer imports only the ones before it.
  ...layer(
    "app/domain/**",
    "domain code is pure: no database, environment, Shopify library or upper layer",
    "(db|env|shopify)\\.server|models/|services/|routes/|components/|demo/",
  ),
  ...layer("app/models/**", "models (the data layer) sit below services, routes and the UI", "services/|routes/|components/|demo/|shopify\\.server"),
  ...layer("app/services/**", "services sit below routes and the UI", "routes/|components/"),
  ...layer("app/routes/**", "routes may import any layer but the SQL builder", null),
  ...layer(
    "app/components/**",
    "components render what routes load: types only from the server layers",
    "(db|env|shopify)\\.server|models/|services/|routes/",
    true,
  ),
  ...layer(
    "extensions/intentful/src/**",
    "the storefront bundle takes only the shared domain code from the app",
    "(db|env|shopify)\\.server|models/|services/|routes/|components/|demo/",
  ),
);

/** An import rule for one layer: what it may not import (by alias ~/ or relative path). */
function layer(files, message, forbidden, allowTypeImports = false) {
  const patterns = forbidden ? [{ regex: `^(~/|(\\.\\./)+)(${forbidden})`, message, allowTypeImports }] : [];
  // SQL is built (Kysely) and sent (models/sql/run) only in the data layer: decision 160.
  if (files !== "app/models/**")
    patterns.push({ regex: "^kysely$|^(~/|(\\.\\./)+)(models/)?sql/", message: "SQL is built and sent in app/models: call a model function" });
  return [{ files: [files], rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns }] } }];
}
