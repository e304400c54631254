import fc from "fast-check";

/**
 * Shared fast-check settings and arbitraries for the fuzz suites (docs/decisions/070-fuzzing.md).
 *
 * Seeds are fixed so CI is reproducible; FUZZ_SEED=<int> explores another part of the input
 * space, FUZZ_SCALE=<x> multiplies every run count (0.1 for a quick local pass). On failure
 * fast-check prints the seed, the path and the shrunk counterexample.
 */
export const FUZZ_SEED = process.env.FUZZ_SEED ? Number.parseInt(process.env.FUZZ_SEED, 10) : 20_260_707;
const SCALE = process.env.FUZZ_SCALE ? Number(process.env.FUZZ_SCALE) : 1;

export function runs(n: number): number {
  return Math.max(1, Math.round(n * (Number.isFinite(SCALE) && SCALE > 0 ? SCALE : 1)));
}

/** fc.assert parameters: fixed seed (offset per property so they do not mirror each other), n runs. */
export function fuzzParams(n: number, offset = 0): { seed: number; numRuns: number } {
  return { seed: FUZZ_SEED + offset, numRuns: runs(n) };
}

// ---------------------------------------------------------------------------------------------
// Hostile text and JSON
// ---------------------------------------------------------------------------------------------

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const controlChar = fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c));
const oddChar = fc.constantFrom("\u0000", "\u202e", "\ufeff", "\u200b", "\u2028", "\u00a0", "\uffff", "🤷🏽‍♀️", "ｆ", "é", "e\u0301", '"', "\\", "'", "<", "&");

/** Strings a hostile or broken client might send: unicode, lone surrogates, NUL, control chars, tricky words. */
const shortHostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 3, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  {
    weight: 3,
    arbitrary: fc.string({ unit: fc.oneof(fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }), loneSurrogate, controlChar, oddChar), maxLength: 24 }),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "__proto__",
      "constructor",
      "prototype",
      "toString",
      "hasOwnProperty",
      "NaN",
      "Infinity",
      "-0",
      "1e309",
      "null",
      "undefined",
      "true",
      "",
      " ",
      "<script>alert(1)</script>",
      "' OR 1=1 --",
      "%00",
      "${jndi:ldap://x}",
      "{{7*7}}",
      "2024-02-30T25:61:61Z",
      "-010000-01-01T00:00:00Z",
      "+275760-09-13T00:00:00Z",
      "0000-01-01T00:00:00Z",
      "1",
      "99999999999",
      "a@b",
    ),
  },
);

/** The same, and now and then a long one (up to 70 000 code units; rare, they are slow on every path). */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: shortHostileString },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("a", "é", "😀", "\u0000", " "), fc.integer({ min: 300, max: 70_000 })).map(([c, n]) => c.repeat(n)) },
);

/** Number literals as JSON text, including ones JSON.parse turns into Infinity, -0 or rounds. */
const numberLiteral: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.integer().map(String) },
  { weight: 3, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "1e400",
      "-1e400",
      "1e-400",
      "-0",
      "0.1e1",
      "123456789012345678901234567890",
      "9007199254740993",
      "2147483648",
      "-2147483649",
      "0.005",
      "1E2",
    ),
  },
);

/** A JSON tree kept as text pieces so object keys such as "__proto__" survive into the body. */
export type JsonNode = { t: "lit"; text: string } | { t: "arr"; items: JsonNode[] } | { t: "obj"; entries: Array<[string, JsonNode]> };

const jsonKey = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 1, arbitrary: shortHostileString },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "__proto__",
      "constructor",
      "prototype",
      "id",
      "token",
      "events",
      "v",
      "kind",
      "visitorId",
      "line_items",
      "total_price",
      "updated_at",
      "at",
      "email",
    ),
  },
);

const jsonLeaf: fc.Arbitrary<JsonNode> = fc.oneof(
  fc.constantFrom("null", "true", "false").map((text) => ({ t: "lit" as const, text })),
  numberLiteral.map((text) => ({ t: "lit" as const, text })),
  fc.oneof({ weight: 20, arbitrary: shortHostileString }, { weight: 1, arbitrary: hostileString }).map((s) => ({ t: "lit" as const, text: JSON.stringify(s) })),
);

const { node: jsonNodeArb } = fc.letrec<{ node: JsonNode; arr: JsonNode; obj: JsonNode }>((tie) => ({
  node: fc.oneof({ depthSize: "small", maxDepth: 5 }, jsonLeaf, tie("arr"), tie("obj")),
  arr: fc.array(tie("node"), { maxLength: 6 }).map((items) => ({ t: "arr" as const, items })),
  obj: fc.array(fc.tuple(jsonKey, tie("node")), { maxLength: 7 }).map((entries) => ({ t: "obj" as const, entries })),
}));

export function jsonText(node: JsonNode): string {
  if (node.t === "lit") return node.text;
  if (node.t === "arr") return `[${node.items.map(jsonText).join(",")}]`;
  return `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`).join(",")}}`;
}

/** Well-formed JSON text of any shape (duplicate keys, __proto__ keys, extreme numbers, odd strings). */
export const anyJsonText: fc.Arbitrary<string> = jsonNodeArb.map(jsonText);

/** A JSON object with the given keys set to arbitrary values (so the shape is right but the types are not). */
export function objectWithKeys(keys: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.subarray([...keys], { minLength: 1 }), fc.array(jsonNodeArb, { minLength: keys.length, maxLength: keys.length }))
    .map(([ks, vs]) => jsonText({ t: "obj", entries: ks.map((k, i) => [k, vs[i]] as [string, JsonNode]) }));
}

/** Text that is not JSON: truncated or corrupted JSON, random bytes, JS-isms, BOMs, empty bodies. */
export const malformedJsonText: fc.Arbitrary<string> = fc.oneof(
  anyJsonText.filter((s) => s.length > 1).chain((s) => fc.integer({ min: 1, max: s.length - 1 }).map((n) => s.slice(0, n))),
  fc.tuple(anyJsonText, fc.constantFrom(",", "}", "]", "'", "\u0000", "//", "\\", "{")).map(([s, junk]) => s + junk),
  fc.constantFrom(
    "",
    " ",
    "{",
    "[",
    "{'a':1}",
    "{a:1}",
    "[1,]",
    '{"a":1,}',
    "NaN",
    "undefined",
    "\ufeff{}",
    '{"a":01}',
    '"\\x41"',
    '["\\ud800]',
    "tru",
    "nul",
    "<xml/>",
    "a=1&b=2",
  ),
  fc.string({ unit: "binary", minLength: 1, maxLength: 60 }).filter((s) => !isJson(s)),
);

/** Deeply nested but well-formed JSON (arrays or objects). */
export const deepJsonText: fc.Arbitrary<string> = fc
  .tuple(fc.integer({ min: 50, max: 3_000 }), fc.boolean())
  .map(([depth, arrays]) => (arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth)));

export function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Shopify webhook payloads (shapes as documented in app/services/webhooks/payloads.ts)
// ---------------------------------------------------------------------------------------------

/** A decimal amount as Shopify sends it ("59.00") or as a JSON number, with the cents it stands for. */
export const moneyArb = (maxCents: number): fc.Arbitrary<{ cents: number; wire: string | number }> =>
  fc
    .oneof(fc.integer({ min: 0, max: maxCents }), fc.constantFrom(0, 1, 29, 99, 100, 1005, maxCents))
    .chain((cents) => fc.constantFrom<string | number>((cents / 100).toFixed(2), cents / 100, String(cents / 100)).map((wire) => ({ cents, wire })));

const idLikeArb: fc.Arbitrary<string | number> = fc.oneof(
  fc.maxSafeNat().filter((n) => n > 0),
  fc.integer({ min: 1, max: 99_999 }).map((n) => `gid://shopify/Object/${n}`),
  fc.string({ minLength: 1, maxLength: 20 }),
);

/** ISO date-times as Shopify sends them: UTC ("Z"), with an offset, or with milliseconds. */
export const isoDateArb: fc.Arbitrary<{ iso: string; ms: number }> = fc
  .tuple(
    fc.integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2099, 11, 31) / 1000 }),
    fc.integer({ min: -12, max: 14 }),
    fc.integer({ min: 0, max: 2 }),
  )
  .map(([sec, offsetH, style]) => {
    const ms = sec * 1000;
    if (style === 0) return { iso: new Date(ms).toISOString().replace(".000Z", "Z"), ms };
    if (style === 1) return { iso: new Date(ms).toISOString(), ms };
    const local = new Date(ms + offsetH * 3600_000).toISOString().slice(0, 19);
    const sign = offsetH < 0 ? "-" : "+";
    return { iso: `${local}${sign}${String(Math.abs(offsetH)).padStart(2, "0")}:00`, ms };
  });

/** Free text a shop may contain (titles, notes): any unicode, sometimes hostile. */
const freeText = fc.oneof({ weight: 4, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) }, { weight: 1, arbitrary: hostileString });
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

export interface LineItemCase {
  wire: Record<string, unknown>;
  /** what the line adds to a cart total (line_price, else price × quantity) */
  cents: number;
}

/** Line items whose sums stay well inside a 32-bit cents column (prices ≤ 10 000.00, quantity ≤ 100). */
const lineItemArb: fc.Arbitrary<LineItemCase> = fc
  .record({
    title: maybe(freeText),
    variant_title: maybe(nullable(freeText)),
    quantity: maybe(fc.integer({ min: 0, max: 100 })),
    price: maybe(moneyArb(1_000_000)),
    line_price: maybe(moneyArb(100_000_000)),
    variant_id: maybe(nullable(idLikeArb)),
    product_id: maybe(nullable(idLikeArb)),
    sku: maybe(nullable(freeText)),
    image_url: maybe(nullable(fc.webUrl())),
    extra: maybe(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })),
  })
  .map(({ price, line_price, extra, ...rest }) => {
    const wire: Record<string, unknown> = { ...(extra ?? {}) };
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) wire[k] = v;
    if (price) wire.price = price.wire;
    if (line_price) wire.line_price = line_price.wire;
    const quantity = rest.quantity ?? 1;
    return { wire, cents: line_price ? line_price.cents : (price?.cents ?? 0) * quantity };
  });

const noteAttributesArb = fc.array(
  fc.oneof(
    fc.record({ name: fc.constant("_intentful_vid"), value: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/) }),
    fc.record({ name: freeText, value: fc.oneof(freeText, fc.integer(), fc.constant(null)) }),
  ),
  { maxLength: 4 },
);

const emailish = fc.oneof(
  fc.emailAddress(),
  fc.emailAddress().map((e) => ` ${e.toUpperCase()} `),
  freeText,
);

export type Topic =
  | "checkouts/create"
  | "checkouts/update"
  | "checkouts/delete"
  | "carts/create"
  | "carts/update"
  | "orders/create"
  | "app/uninstalled"
  | "app/scopes_update"
  | "customers/data_request"
  | "customers/redact"
  | "shop/redact";

export const TOPICS: readonly Topic[] = [
  "checkouts/create",
  "checkouts/update",
  "checkouts/delete",
  "carts/create",
  "carts/update",
  "orders/create",
  "app/uninstalled",
  "app/scopes_update",
  "customers/data_request",
  "customers/redact",
  "shop/redact",
];

/** What a valid delivery must leave behind (checked against the database). */
export type Expected =
  | {
      model: "checkout";
      token: string;
      shopifyId: null;
      totalCents: number;
      currency: string;
      status: "open" | "completed";
      lineItems: number;
      updatedMs: number;
    }
  | { model: "cart"; token: string; totalCents: number; lineItems: number; updatedMs: number }
  | { model: "order"; orderId: string; totalCents: number; currency: string }
  | { model: "job"; kind: string }
  | { model: "none" };

export interface ValidDelivery {
  topic: Topic;
  payload: Record<string, unknown>;
  expected: Expected;
}

/** Tokens get a per-run suffix in the tests so runs never touch each other's rows. */
const tokenArb = fc.oneof(fc.stringMatching(/^[a-f0-9]{32}$/), fc.string({ minLength: 1, maxLength: 40 }));

const checkoutArb = (topic: Topic): fc.Arbitrary<ValidDelivery> =>
  fc
    .record({
      // API 2026-10 sends no `id` (removed in 2026-04); an older payload's id is ignored.
      id: maybe(idLikeArb),
      token: tokenArb,
      cart_token: maybe(nullable(tokenArb)),
      email: maybe(nullable(emailish)),
      customer: maybe(nullable(fc.record({ id: maybe(nullable(idLikeArb)), email: maybe(nullable(emailish)), first_name: maybe(nullable(freeText)) }))),
      total: moneyArb(2_147_483_647),
      currency: maybe(fc.constantFrom("USD", "EUR", "JPY", "VND", "usd")),
      presentment_currency: maybe(fc.constantFrom("USD", "CAD", "GBP")),
      lines: fc.array(lineItemArb, { maxLength: 6 }),
      abandoned_checkout_url: maybe(nullable(fc.webUrl())),
      buyer_accepts_marketing: maybe(nullable(fc.boolean())),
      completed: maybe(nullable(isoDateArb)),
      created: maybe(isoDateArb),
      updated: isoDateArb,
      note_attributes: maybe(nullable(noteAttributesArb)),
    })
    .map(({ total, lines, completed, created, updated, ...p }) => {
      const payload: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(p)) if (v !== undefined) payload[k] = v;
      payload.total_price = total.wire;
      payload.line_items = lines.map((l) => l.wire);
      payload.updated_at = updated.iso;
      if (created) payload.created_at = created.iso;
      if (completed !== undefined) payload.completed_at = completed?.iso ?? null;
      return {
        topic,
        payload,
        expected: {
          model: "checkout",
          token: String(p.token),
          shopifyId: null,
          totalCents: total.cents,
          currency: p.presentment_currency ?? p.currency ?? "USD",
          status: completed ? "completed" : "open",
          lineItems: lines.length,
          updatedMs: updated.ms,
        },
      };
    });

const cartArb = (topic: Topic): fc.Arbitrary<ValidDelivery> =>
  fc
    .record({
      id: fc.string({ minLength: 1, maxLength: 30 }),
      token: tokenArb,
      lines: fc.array(lineItemArb, { maxLength: 6 }),
      updated: isoDateArb,
      created: maybe(isoDateArb),
      note: maybe(nullable(freeText)),
    })
    .map(({ id, token, lines, updated, created, note }) => {
      const payload: Record<string, unknown> = { id, token, line_items: lines.map((l) => l.wire), updated_at: updated.iso };
      if (created) payload.created_at = created.iso;
      if (note !== undefined) payload.note = note;
      const totalCents = lines.reduce((s, l) => s + l.cents, 0);
      return { topic, payload, expected: { model: "cart", token, totalCents, lineItems: lines.length, updatedMs: updated.ms } };
    });

const orderArb: fc.Arbitrary<ValidDelivery> = fc
  .record({
    id: idLikeArb,
    name: maybe(nullable(freeText)),
    email: maybe(nullable(emailish)),
    contact_email: maybe(nullable(emailish)),
    customer: maybe(nullable(fc.record({ id: maybe(nullable(idLikeArb)), email: maybe(nullable(emailish)) }))),
    checkout_token: maybe(nullable(tokenArb)),
    cart_token: maybe(nullable(tokenArb)),
    total: moneyArb(2_147_483_647),
    currency: maybe(fc.constantFrom("USD", "EUR", "JPY")),
    created: isoDateArb,
    note_attributes: maybe(nullable(noteAttributesArb)),
    line_items: maybe(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 })),
  })
  .map(({ total, created, ...p }) => {
    const payload: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(p)) if (v !== undefined) payload[k] = v;
    payload.total_price = total.wire;
    payload.created_at = created.iso;
    return {
      topic: "orders/create" as const,
      payload,
      expected: { model: "order", orderId: String(p.id), totalCents: total.cents, currency: p.currency ?? "USD" },
    };
  });

const privacyCustomer = fc.record({ id: maybe(nullable(idLikeArb)), email: maybe(nullable(emailish)), phone: maybe(nullable(freeText)) });

const otherArb: fc.Arbitrary<ValidDelivery> = fc.oneof(
  fc.record({ id: idLikeArb, token: maybe(nullable(tokenArb)) }).map((p) => ({
    topic: "checkouts/delete" as const,
    payload: p.token === undefined ? { id: p.id } : p,
    expected: { model: "none" as const },
  })),
  fc
    .record({ current: fc.array(fc.string({ maxLength: 20 }), { maxLength: 8 }) })
    .map((payload) => ({ topic: "app/scopes_update" as const, payload, expected: { model: "none" as const } })),
  fc.record({ myshopify_domain: fc.domain(), id: maybe(fc.maxSafeNat()), name: maybe(freeText) }, { requiredKeys: ["myshopify_domain"] }).map((payload) => ({
    topic: "app/uninstalled" as const,
    payload,
    expected: { model: "none" as const },
  })),
  fc
    .record({
      shop_domain: fc.domain(),
      customer: privacyCustomer,
      orders_requested: maybe(fc.array(idLikeArb, { maxLength: 4 })),
      data_request: maybe(fc.record({ id: idLikeArb })),
    })
    .map((payload) => ({
      topic: "customers/data_request" as const,
      payload: stripUndefined(payload),
      expected: { model: "job" as const, kind: "privacy.export" },
    })),
  fc.record({ shop_domain: fc.domain(), customer: privacyCustomer, orders_to_redact: maybe(fc.array(idLikeArb, { maxLength: 4 })) }).map((payload) => ({
    topic: "customers/redact" as const,
    payload: stripUndefined(payload),
    expected: { model: "job" as const, kind: "privacy.redact-customer" },
  })),
  fc.record({ shop_domain: fc.domain() }).map((payload) => ({
    topic: "shop/redact" as const,
    payload: stripUndefined(payload),
    expected: { model: "job" as const, kind: "privacy.redact-shop" },
  })),
);

function stripUndefined<T extends object>(o: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(o)) as Record<string, unknown>;
}

/**
 * Topics whose signed body must name the delivery's shop: a generated payload names some domain,
 * and the test binds it to the run's shop (a payload naming another shop is refused).
 */
export function bindShop(topic: string, payload: Record<string, unknown>, shop: string): Record<string, unknown> {
  if (topic === "app/uninstalled") return { ...payload, myshopify_domain: shop };
  if (topic === "shop/redact" || topic === "customers/redact" || topic === "customers/data_request") return { ...payload, shop_domain: shop };
  return payload;
}

/** A valid payload for one of the handled topics, with what it must leave in the database. */
export const validDeliveryArb: fc.Arbitrary<ValidDelivery> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom<Topic>("checkouts/create", "checkouts/update").chain(checkoutArb) },
  { weight: 2, arbitrary: fc.constantFrom<Topic>("carts/create", "carts/update").chain(cartArb) },
  { weight: 2, arbitrary: orderArb },
  { weight: 2, arbitrary: otherArb },
);

/**
 * Breaks a valid payload in a way the documented schema forbids: a required field missing or
 * of the wrong type, an out-of-range value. Only fields the handler reads are touched.
 */
const BREAKS: Partial<Record<Topic, Record<string, unknown[]>>> = {
  "checkouts/create": {
    token: [undefined, null, "", 123, {}, [], "\u0000", "a\ud800", "t".repeat(256)],
    total_price: [undefined, null, "-1", "abc", "", " ", "0x10", -5, true, {}, "NaN", "Infinity", "1e400", "21474836.48", 1e12],
    line_items: [undefined, null, {}, "x", 5, [5], [null], [{ quantity: -1 }], [{ quantity: 1.5 }], [{ title: 5 }], [{ price: "free" }], [{ variant_id: 1.5 }]],
    updated_at: [undefined, null, "", "yesterday", "not a date", 5, {}, "+275760-09-13T00:00:00Z", "-010000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"],
    currency: ["US", "USDD", 5, null],
    email: [5, {}, []],
    customer: [5, "x", []],
    note_attributes: ["x", 5, [{ name: 5, value: "x" }], [{ value: "x" }], [{ name: "a", value: {} }]],
    buyer_accepts_marketing: ["yes", 1],
    completed_at: ["garbage", 5, true],
  },
  "carts/create": {
    id: [undefined, null, "", 5],
    token: [undefined, null, "", 5, "\udc00", "x\u0000"],
    line_items: [
      undefined,
      null,
      "x",
      [{ quantity: "2" }],
      [{ line_price: "-3" }],
      [{ quantity: 100_000, price: "100000.00" }],
      [{ line_price: "20000000.00" }, { line_price: "20000000.00" }],
    ],
    updated_at: [undefined, null, "soon", 0],
    note: [5, {}],
  },
  "orders/create": {
    id: [undefined, null, true, 2.5, ""],
    total_price: [undefined, null, "-0.01", "ten", false, "99999999999"],
    created_at: [undefined, null, "", "today", 1_700_000_000, "+020000-01-01T00:00:00Z"],
    checkout_token: [5, {}],
    email: [true],
    currency: ["EURO"],
  },
  "checkouts/delete": { id: ["", 1.25, {}, "\ud800", -0.5], token: [5, {}] },
  "app/scopes_update": { current: [undefined, null, "read_orders", [1], [null]] },
  "customers/data_request": { customer: [undefined, null, "x", { id: 1.5 }], orders_requested: ["x", [true]], data_request: [5, {}] },
  "customers/redact": { customer: [undefined, null, 5, { email: 5 }], orders_to_redact: [[null], "1"] },
  "shop/redact": { shop_domain: [undefined, 5, null, {}, ""] },
  "app/uninstalled": { myshopify_domain: [5, {}] },
};
BREAKS["checkouts/update"] = BREAKS["checkouts/create"];
BREAKS["carts/update"] = BREAKS["carts/create"];

export interface InvalidDelivery {
  topic: Topic;
  body: string;
  why: string;
}

/** A delivery that must be rejected: a broken field in a valid payload, or a body that is not an object. */
export const invalidDeliveryArb: fc.Arbitrary<InvalidDelivery> = fc.oneof(
  {
    weight: 4,
    arbitrary: validDeliveryArb
      .filter((d) => BREAKS[d.topic] !== undefined)
      .chain((d) => {
        const fields = BREAKS[d.topic]!;
        return fc.constantFrom(...Object.keys(fields)).chain((field) =>
          fc.constantFrom(...fields[field]).map((bad) => {
            const payload = { ...d.payload };
            if (bad === undefined) delete payload[field];
            else payload[field] = bad;
            return { topic: d.topic, body: JSON.stringify(payload), why: `${field} = ${JSON.stringify(bad) ?? "missing"}` };
          }),
        );
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...TOPICS.filter((t) => t !== "app/uninstalled" && t !== "shop/redact")),
        fc.constantFrom("null", "[]", "5", '"payload"', "true", "[{}]"),
      )
      .map(([topic, body]) => ({ topic, body, why: `body ${body}` })),
  },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.constantFrom(...TOPICS),
        fc.oneof(
          malformedJsonText,
          deepJsonText.map((s) => s.slice(0, -1)),
        ),
      )
      .map(([topic, body]) => ({ topic, body, why: "not JSON" })),
  },
);

/** Any JSON at all for a topic: mostly invalid, sometimes valid by chance. The database is the oracle. */
export const arbitraryDeliveryArb: fc.Arbitrary<{ topic: string; body: string }> = fc
  .tuple(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom<string>(...TOPICS) },
      { weight: 1, arbitrary: fc.constantFrom("products/update", "CHECKOUTS_UPDATE", "orders/paid", "app/Uninstalled", "x") },
    ),
    fc.oneof(
      { weight: 3, arbitrary: anyJsonText },
      { weight: 1, arbitrary: deepJsonText },
      {
        weight: 3,
        arbitrary: objectWithKeys([
          "id",
          "token",
          "total_price",
          "line_items",
          "updated_at",
          "created_at",
          "customer",
          "current",
          "email",
          "completed_at",
          "note_attributes",
        ]),
      },
    ),
  )
  .map(([topic, body]) => ({ topic, body }));

// ---------------------------------------------------------------------------------------------
// Storefront event batches (app/domain/events/schema.ts)
// ---------------------------------------------------------------------------------------------

export const idArb = fc.stringMatching(/^[A-Za-z0-9_.:-]{1,64}$/);
const cartTokenArb = fc.stringMatching(/^[A-Za-z0-9_?=&.:-]{1,200}$/);
/** Addresses zod's email check accepts (it is stricter than RFC 5322: no quoted local parts, ASCII only). */
const simpleEmail = fc
  .tuple(
    fc.array(fc.stringMatching(/^[A-Za-z0-9_+-]{1,8}$/), { minLength: 1, maxLength: 3 }).map((parts) => parts.join(".")),
    fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,10}$/), { minLength: 1, maxLength: 3 }),
    fc.stringMatching(/^[a-z]{2,6}$/),
  )
  .map(([local, labels, tld]) => `${local}@${labels.join(".")}.${tld}`);

export interface StorefrontEventCase {
  kind: string;
  at: number;
  triggerId?: string;
  variant?: "treatment" | "control";
  tier?: "low" | "mid" | "high";
  productId?: string;
  cartToken?: string;
  valueCents?: number;
  email?: string;
  marketingConsent?: boolean;
}

const NEEDS_TRIGGER = ["impression", "control", "click", "dismiss", "conversion"];

/** One valid event: each kind with the fields it requires, optional fields sometimes present. */
export const validEventArb = (nowMs: number): fc.Arbitrary<StorefrontEventCase> =>
  fc
    .record({
      kind: fc.constantFrom("page_view", "product_view", "cart_add", "impression", "control", "click", "dismiss", "conversion", "email_capture"),
      at: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: nowMs - 600_000, max: nowMs + 30_000 }) },
        { weight: 1, arbitrary: fc.maxSafeNat().filter((n) => n > 0) },
      ),
      triggerId: maybe(idArb),
      variant: maybe(fc.constantFrom("treatment" as const, "control" as const)),
      tier: maybe(fc.constantFrom("low" as const, "mid" as const, "high" as const)),
      productId: maybe(idArb),
      cartToken: maybe(cartTokenArb),
      valueCents: maybe(fc.integer({ min: 0, max: 1_000_000_000 })),
      email: maybe(simpleEmail),
      marketingConsent: maybe(fc.boolean()),
    })
    .chain((e) =>
      fc.tuple(idArb, simpleEmail).map(([tid, email]) => {
        const out: StorefrontEventCase = { kind: e.kind, at: e.at };
        for (const [k, v] of Object.entries(e)) if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
        if (NEEDS_TRIGGER.includes(e.kind) && !out.triggerId) out.triggerId = tid;
        if (e.kind === "email_capture" && !out.email) out.email = email;
        return out;
      }),
    );

export interface BatchCase {
  v: 1;
  visitorId: string;
  sessionId?: string;
  events: StorefrontEventCase[];
}

export const validBatchArb = (nowMs: number): fc.Arbitrary<BatchCase> =>
  fc
    .record({ visitorId: idArb, sessionId: maybe(idArb), events: fc.array(validEventArb(nowMs), { minLength: 1, maxLength: 20 }) })
    .map(({ sessionId, ...b }) => ({
      v: 1 as const,
      ...b,
      ...(sessionId === undefined ? {} : { sessionId }),
    }));

/** A valid batch with one thing broken that the documented schema forbids. */
export const invalidBatchArb = (nowMs: number): fc.Arbitrary<{ body: string; why: string }> => {
  const topLevel = fc.constantFrom<[string, unknown]>(
    ["v", 2],
    ["v", "1"],
    ["v", undefined],
    ["visitorId", ""],
    ["visitorId", "a b"],
    ["visitorId", "x".repeat(65)],
    ["visitorId", "visitör"],
    ["visitorId", 42],
    ["visitorId", undefined],
    ["sessionId", "../etc"],
    ["sessionId", null],
    ["events", []],
    ["events", "page_view"],
    ["events", {}],
    ["events", null],
    ["extra", 1],
    ["shop", "other.myshopify.com"],
  );
  const eventLevel = fc.constantFrom<[string, unknown]>(
    ["kind", "purchase"],
    ["kind", "PAGE_VIEW"],
    ["kind", 1],
    ["kind", undefined],
    ["at", 0],
    ["at", -5],
    ["at", 1.5],
    ["at", "1700000000000"],
    ["at", undefined],
    ["at", 1e300],
    ["triggerId", ""],
    ["triggerId", "trg 1"],
    ["productId", "x".repeat(65)],
    ["cartToken", "tok en"],
    ["cartToken", "t".repeat(201)],
    ["valueCents", -1],
    ["valueCents", 1_000_000_001],
    ["valueCents", 12.5],
    ["variant", "holdout"],
    ["tier", "max"],
    ["email", "not-an-email"],
    ["email", 5],
    ["marketingConsent", "yes"],
    ["shop", "x"],
    ["email_plain", "a@b.co"],
  );
  const broken = validBatchArb(nowMs).chain((b) =>
    fc.oneof(
      topLevel.map(([k, v]) => {
        const o: Record<string, unknown> = { ...b };
        if (v === undefined) delete o[k];
        else o[k] = v;
        return { body: JSON.stringify(o), why: `${k} = ${JSON.stringify(v) ?? "missing"}` };
      }),
      fc.tuple(eventLevel, fc.nat({ max: b.events.length - 1 })).map(([[k, v], i]) => {
        const events = b.events.map((e) => ({ ...e }) as Record<string, unknown>);
        if (v === undefined) delete events[i][k];
        else events[i][k] = v;
        return { body: JSON.stringify({ ...b, events }), why: `events.${i}.${k} = ${JSON.stringify(v) ?? "missing"}` };
      }),
      // A kind without the field it requires.
      fc.nat({ max: b.events.length - 1 }).chain((i) =>
        fc.constantFrom("impression", "click", "email_capture").map((kind) => {
          const events = b.events.map((e) => ({ ...e }) as Record<string, unknown>);
          events[i] = { kind, at: b.events[i].at };
          return { body: JSON.stringify({ ...b, events }), why: `events.${i}: ${kind} without its required field` };
        }),
      ),
      // Prototype-pollution keys, written into the JSON text so they arrive as own properties.
      fc.constantFrom("__proto__", "constructor", "prototype").chain((key) =>
        fc.boolean().map((inEvent) => {
          const inject = `${JSON.stringify(key)}:{"isAdmin":true,"polluted":1},`;
          const text = JSON.stringify(b);
          const body = inEvent ? text.replace('"events":[{', `"events":[{${inject}`) : `{${inject}${text.slice(1)}`;
          return { body, why: `${key} key ${inEvent ? "in an event" : "at top level"}` };
        }),
      ),
      // More than 20 events (but under the byte cap).
      fc
        .integer({ min: 21, max: 60 })
        .map((n) => ({ body: JSON.stringify({ ...b, events: Array.from({ length: n }, () => ({ kind: "page_view", at: nowMs })) }), why: `${n} events` })),
    ),
  );
  return fc.oneof(
    { weight: 5, arbitrary: broken },
    { weight: 2, arbitrary: malformedJsonText.map((body) => ({ body, why: "not JSON" })) },
    { weight: 1, arbitrary: deepJsonText.map((body) => ({ body, why: "deeply nested" })) },
    { weight: 2, arbitrary: anyJsonText.map((body) => ({ body, why: "arbitrary JSON" })) },
    {
      weight: 2,
      arbitrary: objectWithKeys(["v", "visitorId", "sessionId", "events", "__proto__"]).map((body) => ({ body, why: "batch keys, random values" })),
    },
  );
};

/** Bodies over the 16 KB cap: padding in a string, many events, or multi-byte characters. */
export const oversizeBodyArb = (nowMs: number, maxBytes: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc
        .tuple(idArb, fc.integer({ min: maxBytes, max: maxBytes * 8 }))
        .map(([vid, n]) => JSON.stringify({ v: 1, visitorId: vid, events: [{ kind: "page_view", at: nowMs, productId: "p".repeat(n) }] })),
      fc
        .integer({ min: Math.ceil(maxBytes / 3) + 1, max: maxBytes })
        .map((n) => JSON.stringify({ v: 1, visitorId: "v", events: [{ kind: "page_view", at: nowMs, productId: "€".repeat(n) }] })),
      fc.integer({ min: maxBytes + 1, max: maxBytes * 4 }).map((n) => "x".repeat(n)),
      fc
        .integer({ min: 400, max: 2000 })
        .map((n) => JSON.stringify({ v: 1, visitorId: "v", events: Array.from({ length: n }, () => ({ kind: "page_view", at: nowMs })) })),
    )
    .filter((s) => Buffer.byteLength(s, "utf8") > maxBytes);

// ---------------------------------------------------------------------------------------------
// Trigger rules (app/domain/triggers/schema.ts): valid inputs built from the documented ranges
// ---------------------------------------------------------------------------------------------

const PAGE_TYPE_VALUES = [
  "index",
  "product",
  "collection",
  "list-collections",
  "search",
  "cart",
  "page",
  "blog",
  "article",
  "404",
  "customers",
  "other",
] as const;

/** Text for merchant copy: any unicode, sometimes NUL or lone surrogates; `min`..`max` UTF-16 units once trimmed. */
export const copyText = (min: number, max: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      { weight: 5, arbitrary: fc.string({ unit: "grapheme", maxLength: Math.max(1, Math.floor(max / 2)) }) },
      {
        weight: 1,
        arbitrary: fc.string({
          unit: fc.oneof(fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }), loneSurrogate, oddChar, fc.constant(" ")),
          maxLength: Math.max(1, Math.floor(max / 2)),
        }),
      },
      { weight: 1, arbitrary: fc.constantFrom("a".repeat(max), ` ${"b".repeat(max)} `, "é".repeat(max)) },
    )
    .filter((s) => s.trim().length >= min && s.trim().length <= max);

const discountCodeArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const linkArb = fc.oneof(
  fc.constant(""),
  fc.stringMatching(/^\/[a-z0-9_\-/?=&.%]{0,60}$/).filter((s) => !s.startsWith("//")),
  fc.webUrl({ validSchemes: ["https"] }).filter((u) => /^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(u) && u.length <= 500),
);
const intIn = (min: number, max: number) => fc.oneof(fc.integer({ min, max }), fc.constantFrom(min, max));
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });
const uniqueSubset = <T>(values: readonly T[]) =>
  fc.subarray([...values]).chain((xs) => fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length }));

const copyArb = {
  headline: copyText(1, 100),
  body: opt(copyText(0, 300)),
  button: opt(copyText(0, 40)),
  layout: opt(fc.constantFrom("default", "modal", "slide_in", "bar")),
};

const contentArb = fc.oneof(
  fc.record({ kind: fc.constant("cart_reminder"), ...copyArb, showCheckout: opt(fc.boolean()) }, { requiredKeys: ["kind", "headline"] }),
  fc.record({ kind: fc.constant("recently_viewed"), ...copyArb, limit: opt(intIn(1, 8)) }, { requiredKeys: ["kind", "headline"] }),
  fc.record(
    { kind: fc.constant("recommendations"), ...copyArb, intent: opt(fc.constantFrom("related", "complementary")), limit: opt(intIn(1, 10)) },
    { requiredKeys: ["kind", "headline"] },
  ),
  fc.record(
    {
      kind: fc.constant("email_capture"),
      ...copyArb,
      consentLabel: opt(copyText(0, 200)),
      successText: opt(copyText(0, 150)),
      requireConsent: opt(fc.boolean()),
      code: opt(fc.oneof(fc.constant(""), discountCodeArb)),
    },
    { requiredKeys: ["kind", "headline"] },
  ),
  fc.record({ kind: fc.constant("discount_reveal"), ...copyArb, code: discountCodeArb }, { requiredKeys: ["kind", "headline", "code"] }),
  fc.record({ kind: fc.constant("message"), ...copyArb, url: opt(linkArb) }, { requiredKeys: ["kind", "headline"] }),
);

const scheduleArb = fc
  .record({ days: fc.uniqueArray(intIn(0, 6), { minLength: 1, maxLength: 7 }), startHour: intIn(0, 23), endHour: intIn(1, 24) })
  .filter((s) => s.startHour !== s.endHour);

const conditionsArb = fc.record(
  {
    pageTypes: opt(fc.array(fc.constantFrom(...PAGE_TYPE_VALUES), { maxLength: 12 })),
    minTier: opt(fc.constantFrom("low", "mid", "high")),
    minSeconds: opt(intIn(0, 3600)),
    scrollPct: opt(intIn(0, 100)),
    minPages: opt(intIn(0, 100)),
    minProductViews: opt(intIn(0, 50)),
    minCartItems: opt(intIn(0, 100)),
    maxCartCents: opt(fc.option(intIn(1, 1_000_000_000), { nil: null })),
    idleSec: opt(intIn(0, 3600)),
    minDaysAway: opt(intIn(0, 365)),
    exit: opt(
      fc.record(
        {
          topZonePx: intIn(5, 100),
          minDwellMs: intIn(0, 60_000),
          ignoreLeftPct: intIn(0, 30),
          scrollUp: fc.boolean(),
          tabReturn: fc.boolean(),
          idleSec: intIn(0, 600),
          backTrap: fc.boolean(),
        },
        { requiredKeys: [] },
      ),
    ),
    schedule: opt(scheduleArb),
  },
  { requiredKeys: [] },
);

const segmentArb = fc.record(
  {
    visitor: fc.constantFrom("any", "new", "returning"),
    purchaser: fc.constantFrom("any", "first_time", "repeat"),
    discount: fc.constantFrom("any", "sensitive", "not_sensitive"),
    minCartCents: intIn(0, 1_000_000_000),
    minAovCents: fc.oneof(fc.constant(0), intIn(0, 200_000)),
    devices: uniqueSubset(["desktop", "mobile", "tablet"]),
    sources: uniqueSubset(["direct", "search", "social", "email", "paid", "referral"]),
    countries: fc.array(
      fc.tuple(fc.stringMatching(/^[A-Za-z]{2}$/), fc.constantFrom("", " ")).map(([c, pad]) => pad + c + pad),
      { maxLength: 20 },
    ),
  },
  { requiredKeys: [] },
);

const frequencyCapArb = fc.record(
  {
    perSession: intIn(0, 20),
    perPeriod: fc.option(fc.record({ count: intIn(1, 100), days: intIn(1, 365) }), { nil: null }),
    stopAfterConversion: fc.boolean(),
    stopAfterDismiss: fc.boolean(),
  },
  { requiredKeys: [] },
);

/**
 * A trigger the schema documents as valid, cross-field rules included: inactivity needs ≥ 5 s
 * idle, a cart ceiling above the segment's floor, a cart reminder ≥ 1 item, recommendations on
 * product pages only.
 */
export const validTriggerArb: fc.Arbitrary<Record<string, any>> = fc
  .record(
    {
      name: copyText(1, 80),
      type: fc.constantFrom("exit_intent", "page_engagement", "inactivity", "cart_change"),
      enabled: opt(fc.boolean()),
      conditions: opt(conditionsArb),
      segment: opt(segmentArb),
      content: contentArb,
      frequencyCap: opt(frequencyCapArb),
      holdoutPct: opt(intIn(0, 50)),
      priority: opt(intIn(0, 1000)),
    },
    { requiredKeys: ["name", "type", "content"] },
  )
  .map((raw) => {
    const t = JSON.parse(JSON.stringify(raw)) as Record<string, any>;
    if (t.type === "inactivity") t.conditions = { ...t.conditions, idleSec: Math.max(5, t.conditions?.idleSec ?? 0) };
    const max = t.conditions?.maxCartCents;
    const min = t.segment?.minCartCents ?? 0;
    if (typeof max === "number" && max <= min) t.conditions.maxCartCents = min < 1_000_000_000 ? min + 1 : null;
    if (t.content.kind === "cart_reminder") t.conditions = { ...t.conditions, minCartItems: Math.max(1, t.conditions?.minCartItems ?? 0) };
    if (t.content.kind === "recommendations") t.conditions = { ...t.conditions, pageTypes: ["product"] };
    return t;
  });

/** Known-invalid edits, each with the field key the error must be reported under. */
export const TRIGGER_BREAKS: Array<[string, unknown, string]> = [
  ["name", "   ", "name"],
  ["name", "", "name"],
  ["name", "n".repeat(81), "name"],
  ["name", 5, "name"],
  ["type", "on_a_whim", "type"],
  ["type", undefined, "type"],
  ["holdoutPct", 51, "holdoutPct"],
  ["holdoutPct", -1, "holdoutPct"],
  ["holdoutPct", 10.5, "holdoutPct"],
  ["holdoutPct", "10", "holdoutPct"],
  ["priority", 1001, "priority"],
  ["priority", Number.NaN, "priority"],
  ["enabled", "yes", "enabled"],
  ["content", undefined, "content"],
  ["content", null, "content"],
  ["content.kind", "popup", "content.kind"],
  ["content.headline", "", "content.headline"],
  ["content.headline", "h".repeat(101), "content.headline"],
  ["content.body", "b".repeat(301), "content.body"],
  ["content.button", "b".repeat(41), "content.button"],
  ["content.layout", "fullscreen", "content.layout"],
  ["conditions.scrollPct", 101, "conditions.scrollPct"],
  ["conditions.minTier", "max", "conditions.minTier"],
  ["conditions.pageTypes", ["checkout"], "conditions.pageTypes.0"],
  ["conditions.pageTypes", "product", "conditions.pageTypes"],
  ["conditions.maxCartCents", 0, "conditions.maxCartCents"],
  ["conditions.exit.topZonePx", 4, "conditions.exit.topZonePx"],
  ["conditions.exit.backTrap", 1, "conditions.exit.backTrap"],
  ["conditions.schedule", { days: [], startHour: 1, endHour: 2 }, "conditions.schedule.days"],
  ["conditions.schedule", { days: [1, 1], startHour: 1, endHour: 2 }, "conditions.schedule.days"],
  ["conditions.schedule", { days: [1], startHour: 5, endHour: 5 }, "conditions.schedule.endHour"],
  ["conditions.schedule", { days: [7], startHour: 1, endHour: 2 }, "conditions.schedule.days.0"],
  ["conditions.schedule", { days: [1], startHour: 24, endHour: 2 }, "conditions.schedule.startHour"],
  ["conditions.schedule", "weekends", "conditions.schedule"],
  ["conditions", null, "conditions"],
  ["segment.countries", ["Germany"], "segment.countries.0"],
  ["segment.devices", ["watch"], "segment.devices.0"],
  ["segment.minCartCents", -1, "segment.minCartCents"],
  ["segment.minAovCents", 2.5, "segment.minAovCents"],
  ["segment", [], "segment"],
  ["frequencyCap.perSession", 21, "frequencyCap.perSession"],
  ["frequencyCap.perPeriod", { count: 0, days: 7 }, "frequencyCap.perPeriod.count"],
  ["frequencyCap.perPeriod", { count: 1 }, "frequencyCap.perPeriod.days"],
];

// ---------------------------------------------------------------------------------------------
// Visitor state and signals for evaluate() (app/domain/triggers/types.ts)
// ---------------------------------------------------------------------------------------------

export const visitorStateArb = (triggerIds: string[]) =>
  fc.record({
    visitorId: fc.string({ minLength: 1, maxLength: 40 }),
    visits: fc.integer({ min: 1, max: 1000 }),
    daysSinceLastVisit: fc.option(fc.integer({ min: 0, max: 3650 }), { nil: null }),
    pagesThisSession: fc.integer({ min: 0, max: 500 }),
    pageType: fc.oneof(fc.constantFrom(...PAGE_TYPE_VALUES), fc.string({ maxLength: 10 })),
    productViews: fc.integer({ min: 0, max: 100 }),
    cartItems: fc.integer({ min: 0, max: 200 }),
    cartCents: fc.integer({ min: 0, max: 2_000_000_000 }),
    cartAdds: fc.integer({ min: 0, max: 50 }),
    checkoutStarted: fc.boolean(),
    msOnPage: fc.integer({ min: 0, max: 7_200_000 }),
    scrollPct: fc.integer({ min: 0, max: 100 }),
    idleMs: fc.integer({ min: 0, max: 7_200_000 }),
    device: fc.constantFrom("desktop" as const, "mobile" as const, "tablet" as const),
    source: fc.constantFrom("direct" as const, "search" as const, "social" as const, "email" as const, "paid" as const, "referral" as const),
    country: fc.oneof(fc.constant(""), fc.stringMatching(/^[A-Z]{2}$/)),
    customer: fc.record({ loggedIn: fc.boolean(), ordersCount: fc.integer({ min: 0, max: 100 }), aovCents: fc.integer({ min: 0, max: 100_000 }) }),
    discountSensitive: fc.boolean(),
    consent: fc.record({ analytics: fc.boolean(), marketing: fc.boolean() }),
    caps: fc.record({
      page: fc.integer({ min: 0, max: 2 }),
      session: fc.integer({ min: 0, max: 10 }),
      byTrigger: fc.dictionary(
        fc.constantFrom(...triggerIds, "other"),
        fc.option(
          fc.record({
            s: fc.integer({ min: 0, max: 30 }),
            ts: fc.array(fc.integer({ min: 0, max: 4_102_444_800_000 }), { maxLength: 10 }),
            cv: opt(fc.boolean()),
            dm: opt(fc.boolean()),
          }),
          { nil: undefined },
        ),
        { noNullPrototype: true },
      ),
    }),
  });

export const signalArb = fc.oneof(
  fc.record({ kind: fc.constantFrom("page" as const, "tick" as const, "scroll" as const, "cart" as const) }),
  fc.record(
    {
      kind: fc.constant("exit" as const),
      via: fc.constantFrom("mouse" as const, "scroll_up" as const, "tab" as const, "back" as const),
      y: fc.integer({ min: -50, max: 2000 }),
      xPct: fc.integer({ min: 0, max: 100 }),
    },
    { requiredKeys: ["kind", "via"] },
  ),
);
