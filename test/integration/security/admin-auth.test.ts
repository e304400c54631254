/**
 * Every embedded-admin route (app/routes/app.tsx and app.*, read from the directory when the
 * tests are collected, so a new route is covered without touching this file) refuses requests
 * that carry no valid session token — no header, forged/expired/wrong-audience tokens, and
 * cross-site form posts that only have cookies (CSRF) — with the library's refusal (401, or a
 * redirect to log in / to the bounce page), never data and never a 5xx, and changes nothing in
 * the database. The same calls with a real session token (test/support/shopify adminRequest)
 * are let through.
 */
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { Prisma } from "@prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BROWSER_UA, respond, SHOP_A, SHOP_B, startHarness, type Harness } from "../admin/harness";
import { adminRequest, sessionToken } from "../../support/shopify";

const ROUTES_DIR = path.resolve(import.meta.dirname, "../../../app/routes");

interface AdminRoute {
  /** route id, e.g. "app.triggers.$id" */
  id: string;
  file: string;
  /** "/app/triggers/$id" (params still as $name) */
  pattern: string;
}

/** app.tsx and every app.* module (files, or folders holding route.tsx/route.ts). */
function adminRoutes(): AdminRoute[] {
  const out: AdminRoute[] = [];
  for (const entry of readdirSync(ROUTES_DIR, { withFileTypes: true })) {
    let id: string;
    let file: string;
    if (entry.isDirectory()) {
      const inner = ["route.tsx", "route.ts", "route.jsx", "route.js"].map((f) => path.join(ROUTES_DIR, entry.name, f)).find((f) => existsSync(f));
      if (!inner) continue;
      id = entry.name;
      file = inner;
    } else {
      if (!/\.(tsx?|jsx?)$/.test(entry.name)) continue;
      id = entry.name.replace(/\.(tsx?|jsx?)$/, "");
      file = path.join(ROUTES_DIR, entry.name);
    }
    if (id !== "app" && !id.startsWith("app.")) continue;
    out.push({ id, file, pattern: patternOf(id) });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** Remix flat-route id → URL path: "." separates segments, "[.]" is a literal dot, _index and pathless "_x" drop out. */
function patternOf(id: string): string {
  const segments = id
    .replace(/\[\.\]/g, "\u0000")
    .split(".")
    .map((s) =>
      s
        .replace(/\u0000/g, ".")
        .replace(/[[\]]/g, "")
        .replace(/_$/, ""),
    )
    .filter((s) => s !== "_index" && !/^_/.test(s));
  return "/" + segments.join("/");
}

const ROUTES = adminRoutes();

type RouteFn = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<unknown>;
interface RouteModule {
  loader?: RouteFn;
  action?: RouteFn;
}

let h: Harness;
const modules = new Map<string, RouteModule>();
/** Real ids of shop A's records, so a route that skipped auth would have data to leak. */
const ids: Record<string, string> = {};
/** Strings that only appear in shop data: none may show up in a refusal. */
let markers: string[] = [];

beforeAll(async () => {
  h = await startHarness();
  for (const r of ROUTES) modules.set(r.id, (await import(r.file)) as RouteModule);
  const db = h.t.db;
  const trigger = await db.trigger.findFirstOrThrow({ where: { shop: SHOP_A }, orderBy: { createdAt: "asc" } });
  const flow = await db.recoveryFlow.findFirstOrThrow({ where: { shop: SHOP_A }, orderBy: { createdAt: "asc" } });
  const message = await db.message.create({
    data: {
      shop: SHOP_A,
      idempotencyKey: `sec-${randomUUID()}`,
      email: "private.shopper@example.com",
      subject: "Secret subject 7f3a",
      html: "<p>Secret body 7f3a</p>",
      status: "sent",
    },
  });
  const exported = await db.dataExport.create({
    data: { shop: SHOP_A, customerId: "901", email: "export.shopper@example.com", payload: { orders: ["#1001"] } },
  });
  Object.assign(ids, { triggers: trigger.id, flows: flow.id, outbox: message.id, export: exported.id });
  const names = [
    ...(await db.trigger.findMany({ select: { name: true } })).map((t) => t.name),
    ...(await db.recoveryFlow.findMany({ select: { name: true } })).map((f) => f.name),
  ];
  markers = [
    ...new Set([...names, "private.shopper@example.com", "Secret subject 7f3a", "export.shopper@example.com", "shpat_test", process.env.SHOPIFY_API_KEY!]),
  ];
}, 120_000);

afterAll(async () => {
  await h?.cleanup();
});

/** "/app/triggers/$id" with shop A's real ids ("$id" after "triggers" → a trigger id, …). */
function concrete(route: AdminRoute): { pathname: string; params: Record<string, string>; known: boolean } {
  const params: Record<string, string> = {};
  let known = true;
  const parts = route.pattern.split("/");
  const pathname = parts
    .map((part, i) => {
      if (!part.startsWith("$")) return part;
      const name = part.slice(1) || "*";
      const value = ids[parts[i - 1]];
      if (!value) known = false;
      params[name] = value ?? "no-such-id";
      return params[name];
    })
    .join("/");
  return { pathname, params, known };
}

// ---- forged session tokens ----------------------------------------------------------------------

function jwt(payload: Record<string, unknown>, { secret = process.env.SHOPIFY_API_SECRET!, alg = "HS256" } = {}): string {
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const body = `${enc({ alg, typ: "JWT" })}.${enc(payload)}`;
  if (alg === "none") return `${body}.`;
  return `${body}.${createHmac("sha256", secret).update(body).digest("base64url")}`;
}

function claims(shop: string, over: Record<string, unknown> = {}, now = Date.now()) {
  const iat = Math.floor(now / 1000);
  return {
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: process.env.SHOPIFY_API_KEY,
    sub: "1",
    exp: iat + 60,
    nbf: iat - 5,
    iat,
    jti: randomUUID(),
    sid: "s",
    ...over,
  };
}

const BAD_TOKENS: Array<[string, () => string]> = [
  ["signed with another secret", () => jwt(claims(SHOP_A), { secret: "an-attacker-chosen-secret-of-32-bytes" })],
  ["with its signature swapped", () => sessionToken(SHOP_A).replace(/\.[^.]+$/, "." + sessionToken(SHOP_B).split(".")[2])],
  ["expired five minutes ago", () => jwt(claims(SHOP_A, {}, Date.now() - 6 * 60_000))],
  ["not valid before five minutes from now", () => jwt(claims(SHOP_A, { nbf: Math.floor(Date.now() / 1000) + 300 }))],
  ["issued to another app (wrong audience)", () => jwt(claims(SHOP_A, { aud: "someone-elses-api-key" }))],
  ["unsigned (alg none)", () => jwt(claims(SHOP_A), { alg: "none" })],
  ["that is not a JWT", () => "not-a-session-token"],
];

// ---- requests -------------------------------------------------------------------------------------

const HOST = Buffer.from(`admin.shopify.com/store/${SHOP_A.replace(".myshopify.com", "")}`).toString("base64url");
const ATTACK_FORM = (id: string) => ({ intent: "delete", id, enabled: "false", template: "exit_intent_cart_reminder" });

function request(
  pathname: string,
  {
    method = "GET",
    headers = {},
    query = {},
    form,
  }: { method?: string; headers?: Record<string, string>; query?: Record<string, string>; form?: Record<string, string> },
): Request {
  const url = new URL(pathname, process.env.SHOPIFY_APP_URL);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const h = new Headers({ "User-Agent": BROWSER_UA, ...headers });
  let body: BodyInit | undefined;
  if (form) {
    body = new URLSearchParams(form);
    h.set("Content-Type", "application/x-www-form-urlencoded");
  }
  return new Request(url, { method, headers: h, body });
}

async function run(fn: RouteFn, req: Request, params: Record<string, string>) {
  const res = await respond(() => fn({ request: req, params, context: {} }));
  return { res, body: await res.clone().text() };
}

/** A refusal as the library gives it: 401 (fetch with a bad token), or a redirect to log in / to the bounce page / to the Shopify admin. */
function expectRefused({ res, body }: { res: Response; body: string }, kind: "401" | "login" | "bounce" | "any") {
  expect(res.status, `status (body: ${body.slice(0, 200)})`).toBeLessThan(500);
  expect(res.status).not.toBe(200);
  const location = res.headers.get("Location") ?? "";
  if (kind === "401") {
    expect(res.status).toBe(401);
    // App Bridge fetches a fresh token and retries once on this header.
    expect(res.headers.get("X-Shopify-Retry-Invalid-Session-Request")).toBe("1");
  } else if (kind === "login") {
    expect([302, 303]).toContain(res.status);
    expect(location).toBe("/auth/login");
  } else if (kind === "bounce") {
    expect([302, 303]).toContain(res.status);
    expect(location).toMatch(/^\/auth\/session-token\?/);
    expect(new URL(location, "http://x").searchParams.get("id_token")).toBeNull();
  } else {
    expect([302, 303, 401, 403, 410]).toContain(res.status);
  }
  for (const m of markers) expect(body, `the refusal leaks "${m}"`).not.toContain(m);
}

/** Every row of every table: a refused request must leave all of it as it was. */
async function snapshot(): Promise<string> {
  const db = h.t.db as unknown as Record<string, { findMany(args?: object): Promise<unknown[]> }>;
  const out: Record<string, unknown[]> = {};
  for (const model of Prisma.dmmf.datamodel.models) {
    const delegate = db[model.name.charAt(0).toLowerCase() + model.name.slice(1)];
    out[model.name] = await delegate.findMany();
  }
  return JSON.stringify(out, (_k, v) => (typeof v === "bigint" ? v.toString() : v));
}

// ---- tests -------------------------------------------------------------------------------------------

describe("admin route discovery", () => {
  it("finds the layout and the admin pages in app/routes", () => {
    const found = ROUTES.map((r) => r.id);
    expect(found).toEqual(expect.arrayContaining(["app", "app._index", "app.triggers._index", "app.triggers.$id", "app.settings", "app.outbox.export.$id"]));
    expect(ROUTES.find((r) => r.id === "app.triggers.$id")?.pattern).toBe("/app/triggers/$id");
    expect(ROUTES.find((r) => r.id === "app._index")?.pattern).toBe("/app");
  });

  it("every admin route module has a loader or an action to test", () => {
    for (const r of ROUTES) {
      const m = modules.get(r.id)!;
      expect(typeof m.loader === "function" || typeof m.action === "function", r.id).toBe(true);
    }
  });
});

describe.each(ROUTES.map((r) => [r.id, r] as const))("%s", (_id, route) => {
  const handlers = () => {
    const m = modules.get(route.id)!;
    return [
      ["loader", m.loader, "GET"],
      ["action", m.action, "POST"],
    ].filter(([, fn]) => typeof fn === "function") as Array<["loader" | "action", RouteFn, string]>;
  };

  it("refuses a request with no Authorization header and no session token: to log in, or to the bounce page", async () => {
    const before = await snapshot();
    const { pathname, params } = concrete(route);
    for (const [, fn, method] of handlers()) {
      const form = method === "POST" ? ATTACK_FORM(params.id ?? ids.triggers) : undefined;
      // a bare request (no shop): sent to log in
      expectRefused(await run(fn, request(pathname, { method, form }), params), "login");
      // an embedded document request without id_token: sent to the bounce page for one
      expectRefused(await run(fn, request(pathname, { method, form, query: { embedded: "1", shop: SHOP_A, host: HOST } }), params), "bounce");
      // shop and host but not embedded: sent back into the Shopify admin, never served
      const outside = await run(fn, request(pathname, { method, form, query: { shop: SHOP_A, host: HOST } }), params);
      expectRefused(outside, "any");
      expect(outside.res.headers.get("Location") ?? "").toMatch(/^https:\/\/admin\.shopify\.com\/|^https:\/\/shop-a\.myshopify\.com\/admin\/|^\/auth/);
    }
    expect(await snapshot()).toBe(before);
  });

  it.each(BAD_TOKENS)("answers 401 to a Bearer session token %s", async (_name, token) => {
    const before = await snapshot();
    const { pathname, params } = concrete(route);
    for (const [, fn, method] of handlers()) {
      const form = method === "POST" ? ATTACK_FORM(params.id ?? ids.triggers) : undefined;
      expectRefused(await run(fn, request(pathname, { method, form, headers: { Authorization: `Bearer ${token()}` } }), params), "401");
    }
    expect(await snapshot()).toBe(before);
  });

  it("sends a document request with a forged id_token to the bounce page (no data)", async () => {
    const { pathname, params } = concrete(route);
    for (const [, fn, method] of handlers()) {
      for (const [, token] of BAD_TOKENS) {
        const form = method === "POST" ? ATTACK_FORM(params.id ?? ids.triggers) : undefined;
        const query = { embedded: "1", shop: SHOP_A, host: HOST, id_token: token() };
        expectRefused(await run(fn, request(pathname, { method, form, query }), params), "bounce");
      }
    }
  });

  it("lets the same request through with a valid session token", async () => {
    const { pathname, params, known } = concrete(route);
    const m = modules.get(route.id)!;
    if (m.loader) {
      const { res, body } = await run(m.loader, adminRequest(pathname, { shop: SHOP_A }), params);
      // 200 where this file knows the ids the route needs; a route with unknown params at least gets past auth
      if (known) expect(res.status, body.slice(0, 300)).toBe(200);
      else expect(res.status).toBeLessThan(500);
      expect([302, 401, 410]).not.toContain(res.status);
    }
    if (m.action) {
      // an unknown intent: authenticated, then refused by the route itself with a 4xx and a reason
      const { res, body } = await run(m.action, adminRequest(pathname, { shop: SHOP_A, method: "POST", form: { intent: "no-such-intent" } }), params);
      expect(res.status, body.slice(0, 300)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect([401, 410]).not.toContain(res.status);
      expect(body.length).toBeGreaterThan(0);
    }
  });
});

describe("CSRF: admin actions authenticate with the Bearer session token, never with cookies", () => {
  it("refuses a cross-site form POST that carries only cookies, on every admin action, and changes nothing", async () => {
    const withActions = ROUTES.filter((r) => typeof modules.get(r.id)?.action === "function");
    expect(withActions.length).toBeGreaterThan(0);
    const before = await snapshot();
    // Whatever cookies a browser would attach — even one holding a currently valid session token.
    const cookie = [
      `shopify_app_session=${sessionToken(SHOP_A)}`,
      `id_token=${sessionToken(SHOP_A)}`,
      `_shopify_s=${randomUUID()}`,
      `__session=${randomUUID()}`,
    ].join("; ");
    const crossSite = {
      Cookie: cookie,
      Origin: "https://evil.example",
      Referer: "https://evil.example/attack.html",
      "Sec-Fetch-Site": "cross-site",
      "Sec-Fetch-Mode": "navigate",
      Accept: "text/html",
    };
    for (const route of withActions) {
      const { pathname, params } = concrete(route);
      const fn = modules.get(route.id)!.action!;
      const form = ATTACK_FORM(params.id ?? ids.triggers);
      // a plain auto-submitting form on the attacker's page
      expectRefused(await run(fn, request(pathname, { method: "POST", form, headers: crossSite }), params), "login");
      // the same, with the query string the admin iframe uses: still no token, so the bounce page
      expectRefused(
        await run(fn, request(pathname, { method: "POST", form, headers: crossSite, query: { embedded: "1", shop: SHOP_A, host: HOST } }), params),
        "bounce",
      );
    }
    expect(await snapshot()).toBe(before);
  });

  it("control: the same delete with a valid Bearer token does delete (so the refusals above are real)", async () => {
    const list = ROUTES.find((r) => r.id === "app.triggers._index");
    expect(list, "app.triggers._index exists").toBeTruthy();
    const original = await h.t.db.trigger.findFirstOrThrow({ where: { shop: SHOP_A } });
    const victim = await h.t.db.trigger.create({
      data: {
        shop: SHOP_A,
        name: "CSRF control trigger",
        type: original.type,
        enabled: false,
        conditions: original.conditions as Prisma.InputJsonValue,
        segment: original.segment as Prisma.InputJsonValue,
        content: original.content as Prisma.InputJsonValue,
        frequencyCap: original.frequencyCap as Prisma.InputJsonValue,
        holdoutPct: original.holdoutPct,
        priority: original.priority,
        salt: randomUUID(),
      },
    });
    const fn = modules.get("app.triggers._index")!.action!;
    const forged = await run(
      fn,
      request("/app/triggers", {
        method: "POST",
        form: { intent: "delete", id: victim.id },
        headers: { Cookie: `shopify_app_session=${sessionToken(SHOP_A)}` },
      }),
      {},
    );
    expectRefused(forged, "login");
    expect(await h.t.db.trigger.count({ where: { id: victim.id } })).toBe(1);
    const real = await run(fn, adminRequest("/app/triggers", { shop: SHOP_A, method: "POST", form: { intent: "delete", id: victim.id } }), {});
    expect(real.res.status, real.body.slice(0, 300)).toBe(200);
    expect(await h.t.db.trigger.count({ where: { id: victim.id } })).toBe(0);
  });
});
