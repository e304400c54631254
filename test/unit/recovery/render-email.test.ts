import { describe, expect, it } from "vitest";
import { renderRecoveryEmail, type RenderInput } from "~/services/email/render.server";
import { flowTemplates } from "~/domain/recovery/templates";

function input(overrides: Partial<RenderInput> = {}): RenderInput {
  return {
    shop: { name: "Acme Outfitters", currency: "USD" },
    step: flowTemplates.checkout.steps[0],
    checkout: {
      lineItems: [
        { title: "Merino Sweater", variantTitle: "Blue / M", quantity: 2, priceCents: 4_500, imageUrl: "https://cdn.example.com/s.jpg" },
        { title: "Wool Socks", quantity: 1, priceCents: 900 },
      ],
      totalCents: 9_900,
      currency: "USD",
      recoveryUrl: "https://acme.myshopify.com/123/checkouts/abc/recover?key=k1",
      firstName: "Ann",
    },
    unsubscribeUrl: "https://app.example.com/unsubscribe/t0k3n",
    ...overrides,
  };
}

describe("renderRecoveryEmail", () => {
  it("renders the subject, the items with prices, the recovery link and an unsubscribe link, as HTML and text", async () => {
    const email = await renderRecoveryEmail(input());
    expect(email.subject).toBe("You left something in your checkout");
    expect(email.html).toMatch(/^<!doctype html>/i);
    for (const part of [email.html, email.text]) {
      expect(part).toContain("Merino Sweater");
      expect(part).toContain("Blue / M");
      expect(part).toContain("$90.00");
      expect(part).toContain("Total: $99.00");
      expect(part).toContain("Hi Ann, we saved your checkout at Acme Outfitters");
      expect(part).toContain("https://app.example.com/unsubscribe/t0k3n");
    }
    expect(email.html).toContain('href="https://acme.myshopify.com/123/checkouts/abc/recover?key=k1"');
    expect(email.text).toContain("Return to checkout\n[https://acme.myshopify.com/123/checkouts/abc/recover?key=k1]");
  });

  it("keeps the preheader out of the text part", async () => {
    const email = await renderRecoveryEmail(input());
    expect(email.html).toContain("Your items are saved. Pick up where you left off.");
    expect(email.text).not.toContain("Pick up where you left off");
  });

  it("escapes merchant copy, product titles and the shopper's name instead of injecting HTML", async () => {
    const email = await renderRecoveryEmail(
      input({
        shop: { name: 'Tom & "Jerry" <Co>', currency: "USD" },
        step: { subject: "Hi {{ first_name }}", body: [{ type: "text", text: "<b>Bold</b> {{ first_name }}" }, { type: "items" }] },
        checkout: {
          ...input().checkout,
          firstName: "<img src=x onerror=alert(1)>",
          lineItems: [{ title: "<script>alert(1)</script>", quantity: 1, priceCents: 100 }],
        },
      }),
    );
    expect(email.html).not.toMatch(/<script|<img src=x|<b>Bold/);
    expect(email.html).toContain("&#60;script&#62;alert(1)&#60;/script&#62;");
    expect(email.html).toContain("Tom &#38; &#34;Jerry&#34; &#60;Co&#62;");
    expect(email.text).toContain("<b>Bold</b> <img src=x onerror=alert(1)>");
  });

  it("uses a placeholder's fallback when the value is missing", async () => {
    const email = await renderRecoveryEmail(input({ checkout: { ...input().checkout, firstName: null } }));
    expect(email.text).toContain("Hi there, we saved your checkout");
  });

  it("shows the discount code with its percent and expiry", async () => {
    const email = await renderRecoveryEmail(input({ step: flowTemplates.checkout.steps[1], discountCode: "BACK-7Q2X" }));
    expect(email.text).toContain("Use code BACK-7Q2X at checkout.");
    expect(email.text).toContain("10% off your order, expires in 7 days");
  });

  it("leaves out what would show a discount code when there is none, rather than a blank code", async () => {
    const step = {
      ...flowTemplates.checkout.steps[1],
      body: [...flowTemplates.checkout.steps[1].body, { type: "text" as const, text: "Code: {{ discount_code }}" }],
    };
    const email = await renderRecoveryEmail(input({ step, discountCode: null }));
    expect(email.text).not.toMatch(/Use code|Code:|expires in|\{\{/);
    expect(email.text).toContain("Complete my order");
  });

  it("shows a sample code in an editor preview", async () => {
    const email = await renderRecoveryEmail(input({ step: flowTemplates.checkout.steps[1], preview: true }));
    expect(email.text).toContain("Use code SAMPLE-CODE at checkout.");
  });

  it("lists at most six items and says how many more there are", async () => {
    const lineItems = Array.from({ length: 8 }, (_, i) => ({ title: `Item ${i + 1}`, quantity: 1, priceCents: 100 }));
    const email = await renderRecoveryEmail(input({ checkout: { ...input().checkout, lineItems } }));
    expect(email.text).toContain("Item 6");
    expect(email.text).not.toContain("Item 7");
    expect(email.text).toContain("and 2 more items");
  });

  it("drops an image URL that is not http(s)", async () => {
    const lineItems = [{ title: "Hat", quantity: 1, priceCents: 100, imageUrl: "javascript:alert(1)" }];
    const email = await renderRecoveryEmail(input({ checkout: { ...input().checkout, lineItems } }));
    expect(email.html).not.toContain("javascript:");
  });

  it("formats prices in the checkout's currency", async () => {
    const email = await renderRecoveryEmail(
      input({ checkout: { ...input().checkout, currency: "EUR", totalCents: 12_345 }, shop: { name: "A", currency: "EUR", locale: "de-DE" } }),
    );
    expect(email.text.replace(/\u00a0/g, " ")).toContain("Total: 123,45 €");
  });

  it("refuses a recovery link that is not an http(s) URL", async () => {
    await expect(
      renderRecoveryEmail(input({ checkout: { ...input().checkout, recoveryUrl: "javascript:alert(1)" } })),
    ).rejects.toThrow(/recoveryUrl must be http\(s\)/);
  });
});

describe("renderRecoveryEmail template cache", () => {
  // Every optional part on and off, hostile and unicode values, each step of each template:
  // the cached render (compiled once per shape, values filled in) must equal a fresh MJML render.
  const steps = Object.values(flowTemplates).flatMap((t) => t.steps);
  const names = [null, "Ann", "Zoë & <Bob>", "  Li   Wei  "];
  const items = [
    [],
    [{ title: "Merino Sweater", variantTitle: "Blue / M", quantity: 2, priceCents: 4_500, imageUrl: "https://cdn.example.com/s.jpg?a=1&b=2" }],
    Array.from({ length: 7 }, (_, i) => ({ title: `<img src=x onerror=alert(${i})> "Tee" ${i}`, quantity: i + 1, priceCents: 999 * (i + 1), imageUrl: i % 2 ? null : `//cdn.example.com/${i}.png` })),
    Array.from({ length: 8 }, (_, i) => ({ title: `Item ${i}`, variantTitle: i % 3 ? null : "S", quantity: 1, priceCents: 100 })),
  ];
  const cases: RenderInput[] = [];
  steps.forEach((step, s) =>
    names.forEach((firstName, n) =>
      items.forEach((lineItems, k) =>
        cases.push(
          input({
            step,
            discountCode: (s + n + k) % 2 ? `CODE-${s}${n}${k}` : null,
            shop: { name: k % 2 ? "Acme & Co" : "Café Ünïcode", currency: "EUR", locale: n % 2 ? "de-DE" : undefined, address: k === 2 ? "1 Main St, Springfield" : null },
            checkout: {
              lineItems,
              totalCents: 12_345 + k,
              currency: "EUR",
              recoveryUrl: `https://acme.myshopify.com/c/${s}${n}${k}/recover?key=a&b="x"`,
              firstName,
            },
            unsubscribeUrl: `https://app.example.com/unsubscribe/${s}-${n}-${k}`,
          }),
        ),
      ),
    ),
  );

  it(`matches a fresh render byte for byte (${cases.length} emails)`, async () => {
    const { setRenderCacheForTests } = await import("~/services/email/render.server");
    try {
      setRenderCacheForTests(false);
      const fresh = [];
      for (const c of cases) fresh.push(await renderRecoveryEmail(c));
      setRenderCacheForTests(true);
      for (let i = 0; i < cases.length; i++) {
        const cached = await renderRecoveryEmail(cases[i]);
        expect(cached.html, `case ${i}`).toBe(fresh[i].html);
        expect(cached.text, `case ${i}`).toBe(fresh[i].text);
        expect(cached.subject).toBe(fresh[i].subject);
      }
      // And a second pass is served from the cache with the same result.
      expect((await renderRecoveryEmail(cases[5])).html).toBe(fresh[5].html);
    } finally {
      setRenderCacheForTests(true);
    }
  }, 120_000);
});
