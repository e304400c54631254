import { describe, expect, it, vi } from "vitest";

// `npm run demo` has no Shopify admin to open the app from: /auth/login logs straight in to the
// demo shop. The target is a relative URL (the demo runs on whatever host it is opened on).
describe("demo login", () => {
  it("redirects to the embedded demo admin, whatever the request accepts", async () => {
    vi.stubEnv("DEMO_MODE", "true");
    vi.stubEnv("SHOPIFY_API_SECRET", "demo-api-secret-not-for-production"); // the demo refuses real credentials
    vi.resetModules();
    try {
      const { loader } = await import("~/routes/auth.login/route");
      for (const accept of ["*/*", "text/html"]) {
        const thrown = await loader({
          request: new Request("http://localhost:3000/auth/login", { headers: { Accept: accept } }),
          params: {},
          context: {},
        }).catch((r: unknown) => r);
        expect(thrown).toBeInstanceOf(Response);
        const res = thrown as Response;
        expect(res.status).toBe(302);
        const location = new URL(res.headers.get("Location") ?? "", "http://localhost:3000");
        expect(location.pathname).toBe("/app");
        expect(location.searchParams.get("embedded")).toBe("1");
        expect(location.searchParams.get("id_token")).toBeTruthy();
      }
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
