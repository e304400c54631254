import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import { createTestDb } from "../test/support/db";
import { openLoop, profileDir, startAppServer, summariseCpuProfile } from "./server";

const SECRET = "bench-api-secret-with-enough-bytes";
const SHOP = "bench-shop.myshopify.com";

/**
 * Shopify delivers from many hosts over many connections: requests go round-robin over 16
 * keep-alive agents, so a multi-process server (node:cluster balances connections, not
 * requests) sees its load spread the way production traffic would spread it.
 */
const agents = Array.from({ length: 16 }, () => new http.Agent({ keepAlive: true, maxSockets: 4 }));
let nextAgent = 0;
function post(url: string, init: { headers: Record<string, string>; body: string }): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { ...init.headers, "Content-Length": Buffer.byteLength(init.body) }, agent: agents[nextAgent++ % agents.length] }, (res) => {
      res.resume();
      res.on("end", () => resolve(new Response(null, { status: res.statusCode ?? 0 })));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

/**
 * Webhook intake under a fixed offered load: signed, unique checkouts/create deliveries over
 * HTTP to the built app; lost = deliveries answered 2xx that are missing from the database.
 */
export async function benchWebhooks({ rate = 600, seconds = 10 }: { rate?: number; seconds?: number } = {}) {
  const t = await createTestDb();
  await t.db.session.create({
    data: { id: `offline_${SHOP}`, shop: SHOP, state: "bench", isOnline: false, scope: "read_orders", accessToken: "shpat_bench" },
  });
  await t.db.shop.create({ data: { shop: SHOP } });
  const prof = profileDir(`webhooks-${t.dialect}`);
  const server = await startAppServer(
    {
      DATABASE_URL: t.url,
      SHOPIFY_API_KEY: "bench-api-key",
      SHOPIFY_API_SECRET: SECRET,
      SHOPIFY_APP_URL: "http://127.0.0.1",
    },
    { cpuProfDir: prof },
  );
  let profile: ReturnType<typeof summariseCpuProfile>;
  try {
    const run = randomUUID().slice(0, 8);
    const ids: string[] = [];
    const deliver = (i: number) => {
      const token = `bench-${run}-${i}`;
      const now = new Date().toISOString();
      const body = JSON.stringify({
        id: i + 1,
        token,
        cart_token: `c-${token}`,
        email: `shopper${i}@example.com`,
        total_price: "42.00",
        currency: "USD",
        line_items: [{ title: "Bench Tee", quantity: 1, price: "42.00", variant_id: 1, product_id: 1 }],
        abandoned_checkout_url: `https://${SHOP}/checkouts/${token}/recover`,
        buyer_accepts_marketing: false,
        completed_at: null,
        created_at: now,
        updated_at: now,
      });
      const webhookId = `${run}-${i}`;
      ids[i] = webhookId;
      return post(`${server.baseUrl}/webhooks/checkouts/create`, {
        headers: {
          "Content-Type": "application/json",
          "X-Shopify-Topic": "checkouts/create",
          "X-Shopify-Hmac-Sha256": createHmac("sha256", SECRET).update(body).digest("base64"),
          "X-Shopify-Shop-Domain": SHOP,
          "X-Shopify-API-Version": "2026-10",
          "X-Shopify-Webhook-Id": webhookId,
          "X-Shopify-Triggered-At": now,
          "X-Shopify-Event-Id": randomUUID(),
        },
        body,
      });
    };
    // At the offered rate, so the steady state is measured (pools grown, JIT warm), not the ramp.
    await openLoop(rate, 2, (i) => deliver(1_000_000 + i));
    const result = await openLoop(rate, seconds, deliver);
    let stored = 0;
    const accepted = result.okIds.map((i) => ids[i]);
    for (let i = 0; i < accepted.length; i += 500) {
      stored += await t.db.webhookDelivery.count({ where: { webhookId: { in: accepted.slice(i, i + 500) }, outcome: "accepted" } });
    }
    const { okIds: _ignored, ...figures } = result;
    await server.stop();
    if (prof) profile = summariseCpuProfile(prof);
    return { dialect: t.dialect, ...figures, lost: result.ok - stored, ...(profile ? { profile } : {}) };
  } finally {
    await server.stop();
    await t.cleanup();
  }
}

if (process.argv[1] && import.meta.url === (await import("node:url")).pathToFileURL(process.argv[1]).href) {
  const r = await benchWebhooks({ rate: Number(process.argv[2] ?? 200), seconds: Number(process.argv[3] ?? 5) });
  console.log(JSON.stringify(r, null, 1));
}
