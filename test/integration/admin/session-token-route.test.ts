import { describe, expect, it } from "vitest";

describe("GET /demo/session-token", () => {
  it("does not exist outside demo mode", async () => {
    const { loader } = await import("~/routes/demo.session-token");
    const run = () => loader({ request: new Request("http://localhost:3000/demo/session-token"), params: {}, context: {} });
    await expect(run()).rejects.toSatisfy((r: unknown) => r instanceof Response && r.status === 404);
  });
});
