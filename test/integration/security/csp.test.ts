/**
 * Framing rules over real HTTP against the demo server (test/support/demo-server): the embedded
 * admin's documents carry `Content-Security-Policy: frame-ancestors https://<shop>
 * https://admin.shopify.com …` (the library's addDocumentResponseHeaders, called in
 * app/entry.server.tsx) naming the shop they were opened for; every other document gets
 * `frame-ancestors 'none'` (entry.server.tsx); non-document endpoints (/healthz, the app proxy,
 * click tracking) are not HTML, so there is nothing to frame.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDemoServer, type DemoServer } from "../../support/demo-server";
import { BROWSER_USER_AGENT } from "../../support/browser";

const DEMO_SHOP = "demo-shop.myshopify.com";
const DEMO_HOST = Buffer.from("admin.shopify.com/store/demo-shop").toString("base64url");
/** Shopify's own admin origins, which the library always adds (its list in add-response-headers). */
const SHOPIFY_ADMIN_SOURCES = new Set(["https://admin.shopify.com", "https://*.spin.dev", "https://admin.myshopify.io", "https://admin.shop.dev"]);

let demo: DemoServer;

beforeAll(async () => {
  demo = await startDemoServer();
}, 240_000);

afterAll(async () => {
  await demo?.stop();
});

/** A browser-like document load (follows the demo's redirect to the embedded URL with a session token). */
async function document(path: string, init: RequestInit = {}) {
  const res = await fetch(`${demo.baseUrl}${path}`, {
    ...init,
    headers: { "User-Agent": BROWSER_USER_AGENT, Accept: "text/html,application/xhtml+xml", ...(init.headers ?? {}) },
  });
  const body = await res.text();
  return { res, body, url: new URL(res.url) };
}

function frameAncestors(res: Response): string[] | null {
  const csp = res.headers.get("Content-Security-Policy");
  if (!csp) return null;
  const directive = csp
    .split(";")
    .map((d) => d.trim())
    .find((d) => /^frame-ancestors\s/i.test(d));
  return directive ? directive.split(/\s+/).slice(1) : null;
}

async function sessionToken(): Promise<string> {
  const res = await fetch(`${demo.baseUrl}/demo/session-token`, { headers: { "User-Agent": BROWSER_USER_AGENT } });
  return ((await res.json()) as { token: string }).token;
}

describe("embedded admin documents", () => {
  it.each(["/app", "/app/triggers", "/app/flows", "/app/analytics", "/app/outbox", "/app/settings"])(
    "%s may be framed only by the shop's admin and Shopify's admin origins",
    async (path) => {
      const { res, body, url } = await document(path);
      expect(res.status).toBe(200);
      expect(url.searchParams.get("shop"), "opened the way the admin iframe opens it").toBe(DEMO_SHOP);
      expect(body).toContain("<html");
      const sources = frameAncestors(res);
      expect(sources, `CSP: ${res.headers.get("Content-Security-Policy")}`).not.toBeNull();
      expect(sources).toContain(`https://${DEMO_SHOP}`);
      expect(sources).toContain("https://admin.shopify.com");
      for (const source of sources!) {
        expect(source === `https://${DEMO_SHOP}` || SHOPIFY_ADMIN_SOURCES.has(source), `unexpected frame-ancestors source ${source}`).toBe(true);
      }
      // X-Frame-Options cannot name an origin: it must not be there to block the admin's iframe
      expect(res.headers.get("X-Frame-Options")).toBeNull();
    },
  );

  it("the trigger editor (a nested document) names the shop too", async () => {
    const trigger = await demo.db.trigger.findFirstOrThrow({ where: { shop: DEMO_SHOP } });
    const { res } = await document(`/app/triggers/${trigger.id}`);
    expect(res.status).toBe(200);
    expect(frameAncestors(res)).toContain(`https://${DEMO_SHOP}`);
  });

  it("a shop parameter that is not a Shopify domain is refused before any page (so no frame-ancestors names it)", async () => {
    const token = await sessionToken();
    const query = new URLSearchParams({ embedded: "1", shop: "evil.example", host: DEMO_HOST, id_token: token });
    const { res, body } = await document(`/app?${query}`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/auth/login");
    expect(res.headers.get("Content-Security-Policy") ?? "").not.toContain("evil.example");
    expect(body).not.toContain("<html");
  });
});

describe("everything else", () => {
  it("a non-embedded document (the 404 page) may not be framed by anyone", async () => {
    const { res, body } = await document("/no-such-page");
    expect(res.status).toBe(404);
    expect(res.headers.get("Content-Type")).toMatch(/text\/html/);
    expect(body).toContain("<html");
    expect(frameAncestors(res)).toEqual(["'none'"]);
    expect(res.headers.get("X-Frame-Options")).toBe("DENY");
  });

  it.each([
    ["/healthz", "GET"],
    ["/proxy/events", "GET"],
    ["/proxy/events", "POST"],
    ["/r/no-such-message?s=x", "GET"],
  ])("%s (%s) is no HTML document and allows no origin explicitly", async (path, method) => {
    const res = await fetch(`${demo.baseUrl}${path}`, { method, headers: { "User-Agent": BROWSER_USER_AGENT, Accept: "text/html" }, redirect: "manual" });
    await res.arrayBuffer();
    expect(res.status).toBeLessThan(500);
    expect(res.headers.get("Content-Type") ?? "").not.toMatch(/text\/html/);
    const sources = frameAncestors(res);
    // no header at all is fine for a non-document; if one is there, it must not open framing up
    if (sources) expect(sources.some((s) => s === "*" || s.startsWith("http:") || s === "https:")).toBe(false);
  });

  // Resource routes never pass through entry.server.tsx: server.ts sets `frame-ancestors 'none'`
  // on every response outside /app.
  it("the unsubscribe page (a resource route serving HTML) may not be framed by anyone", async () => {
    const res = await fetch(`${demo.baseUrl}/unsubscribe?token=x.y`, { headers: { "User-Agent": BROWSER_USER_AGENT, Accept: "text/html" } });
    expect(res.headers.get("Content-Type")).toMatch(/text\/html/);
    await res.arrayBuffer();
    expect(frameAncestors(res)).toEqual(["'none'"]);
  });
});
