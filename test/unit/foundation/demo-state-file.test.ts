import path from "node:path";
import { describe, expect, it } from "vitest";
import { demoStateFile } from "~/demo/shopify-state.server";

describe("the demo's mocked Shopify state", () => {
  it("lives beside the demo's database, so two demos on two databases never share it", () => {
    expect(demoStateFile({ DATABASE_URL: "file:/tmp/a/demo.sqlite" } as unknown as NodeJS.ProcessEnv)).toBe("/tmp/a/demo-shopify.json");
    expect(demoStateFile({ DATABASE_URL: "file:/tmp/b/other.sqlite" } as unknown as NodeJS.ProcessEnv)).toBe("/tmp/b/other-shopify.json");
    expect(demoStateFile({ DATABASE_URL: "file:./prisma/demo.sqlite" } as unknown as NodeJS.ProcessEnv)).toBe(path.resolve("prisma/demo-shopify.json"));
  });

  it("keeps one file per PostgreSQL database too", () => {
    const a = demoStateFile({ DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/demo_a" } as unknown as NodeJS.ProcessEnv);
    const b = demoStateFile({ DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/demo_b" } as unknown as NodeJS.ProcessEnv);
    expect(a).not.toBe(b);
    expect(path.dirname(a)).toBe(path.resolve("prisma"));
    expect(demoStateFile({ DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/demo_a" } as unknown as NodeJS.ProcessEnv)).toBe(a);
  });

  it("follows DEMO_STATE_FILE when set", () => {
    expect(demoStateFile({ DATABASE_URL: "file:/tmp/a/demo.sqlite", DEMO_STATE_FILE: "/x/state.json" } as unknown as NodeJS.ProcessEnv)).toBe("/x/state.json");
  });
});
