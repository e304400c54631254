// Prisma CLI configuration. Engines are never downloaded on our machines, so the
// CLI uses the bundled WASM schema engine ("js") through a driver adapter chosen
// from DATABASE_URL, like app/db.server.ts does at runtime. See docs/decisions/002-prisma-offline.md.
import path from "node:path";
import { defineConfig } from "prisma/config";

const url = process.env.DATABASE_URL ?? "file:./prisma/dev.sqlite";
const isPostgres = /^postgres(ql)?:\/\//.test(url);

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: isPostgres ? path.join("prisma", "postgres", "schema.prisma") : path.join("prisma", "schema.prisma"),
  migrations: {
    path: isPostgres ? path.join("prisma", "postgres", "migrations") : path.join("prisma", "migrations"),
  },
  async adapter() {
    if (isPostgres) {
      // adapter-pg 7 (npm alias): 6.19's adapter cannot run migrations (prisma/orm#27403).
      const { PrismaPg } = await import("adapter-pg-migrate");
      // `?schema=` (tests use one schema per run) is not a libpq parameter: apply it ourselves.
      const parsed = new URL(url);
      const schema = parsed.searchParams.get("schema") ?? undefined;
      parsed.searchParams.delete("schema");
      return new PrismaPg(
        { connectionString: parsed.toString(), ...(schema ? { options: `-c search_path="${schema}"` } : {}) },
        schema ? { schema } : undefined,
      );
    }
    const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
    return new PrismaBetterSQLite3({ url });
  },
});
