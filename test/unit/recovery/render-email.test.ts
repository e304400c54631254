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
    expect(email.text).toContain("Return to checkout: https://acme.myshopify.com/123/checkouts/abc/recover?key=k1");
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
    await expect(renderRecoveryEmail(input({ checkout: { ...input().checkout, recoveryUrl: "javascript:alert(1)" } }))).rejects.toThrow(
      /recoveryUrl must be http\(s\)/,
    );
  });
});

describe("renderRecoveryEmail text part", () => {
  const discountStep = flowTemplates.checkout.steps[1];
  const threeItems = [
    { title: "Merino Sweater", variantTitle: "Blue / M", quantity: 2, priceCents: 4_500 },
    { title: "Wool Socks", quantity: 1, priceCents: 900 },
    { title: "Canvas Tote", variantTitle: "Natural", quantity: 3, priceCents: 1_250, imageUrl: "https://cdn.example.com/t.jpg" },
  ];

  it("is written block by block from the email's values", async () => {
    const lineItems = [...threeItems, ...Array.from({ length: 4 }, (_, i) => ({ title: `Extra ${i}`, quantity: 1, priceCents: 100 }))];
    const email = await renderRecoveryEmail(
      input({
        step: discountStep,
        discountCode: "BACK-7Q2X",
        shop: { name: "Acme Outfitters", currency: "USD", address: "1 Main St, Springfield" },
        checkout: { ...input().checkout, lineItems, totalCents: 14_550 },
      }),
    );
    expect(email.text).toBe(
      [
        "Acme Outfitters",
        "",
        "A little something to help you decide",
        "",
        "Hi Ann, your items are still waiting. Finish your order today and save 10%.",
        "",
        "Merino Sweater\nBlue / M\nQty 2 · $90.00",
        "",
        "Wool Socks\nQty 1 · $9.00",
        "",
        "Canvas Tote\nNatural\nQty 3 · $37.50",
        "",
        "Extra 0\nQty 1 · $1.00",
        "",
        "Extra 1\nQty 1 · $1.00",
        "",
        "Extra 2\nQty 1 · $1.00",
        "",
        "and 1 more item\nTotal: $145.50",
        "",
        "Use code BACK-7Q2X at checkout.",
        "",
        "BACK-7Q2X\n10% off your order, expires in 7 days",
        "",
        "Complete my order: https://acme.myshopify.com/123/checkouts/abc/recover?key=k1",
        "",
        "You received this email because you shopped at Acme Outfitters.\n1 Main St, Springfield",
        "Unsubscribe: https://app.example.com/unsubscribe/t0k3n",
      ].join("\n"),
    );
  });

  it("lists every item with its variant, quantity and line total, the total, both links and the code", async () => {
    const email = await renderRecoveryEmail(
      input({ step: discountStep, discountCode: "BACK-7Q2X", checkout: { ...input().checkout, lineItems: threeItems, totalCents: 13_650 } }),
    );
    expect(email.text).toContain("\n\nMerino Sweater\nBlue / M\nQty 2 · $90.00\n\n");
    expect(email.text).toContain("\n\nWool Socks\nQty 1 · $9.00\n\n");
    expect(email.text).toContain("\n\nCanvas Tote\nNatural\nQty 3 · $37.50\n\n");
    expect(email.text).toContain("\nTotal: $136.50\n");
    expect(email.text).not.toContain("more item");
    expect(email.text).toContain("\nComplete my order: https://acme.myshopify.com/123/checkouts/abc/recover?key=k1\n");
    expect(email.text).toMatch(/\nUnsubscribe: https:\/\/app\.example\.com\/unsubscribe\/t0k3n$/);
    expect(email.text).toContain("\nBACK-7Q2X\n10% off your order, expires in 7 days\n");
  });

  it("has no discount wording without a code, and keeps the rest", async () => {
    const email = await renderRecoveryEmail(
      input({ step: discountStep, discountCode: null, checkout: { ...input().checkout, lineItems: threeItems, totalCents: 13_650 } }),
    );
    expect(email.text).not.toMatch(/code|% off|expires/i);
    expect(email.text).toContain("Canvas Tote\nNatural\nQty 3 · $37.50");
    expect(email.text).toContain("Complete my order: https://acme.myshopify.com/");
  });

  it("prints hostile values literally, each on its one line", async () => {
    const email = await renderRecoveryEmail(
      input({
        step: {
          subject: "Hi",
          body: [
            { type: "heading", text: "Deals at {{ shop_name }}" },
            { type: "text", text: "Fish & chips <i>today</i>, {{ first_name }}.\n\nSecond &amp; last." },
            { type: "items" },
            { type: "discount" },
            { type: "button", text: "Go <now> & save" },
          ],
          discountPercent: 5,
        },
        discountCode: "BACK\r\nX-Code: 1",
        shop: { name: "Tom & Jerry\r\nBcc: shop@evil.test", currency: "USD", address: "1 Main St\r\n\r\nSpringfield" },
        checkout: {
          ...input().checkout,
          firstName: "Ann\r\nX-Name: 1",
          lineItems: [
            { title: "<b>Tom & Jerry</b>\r\nBcc: evil@evil.test", variantTitle: "<script>alert(1)</script>\nX-Variant: 1", quantity: 1, priceCents: 100 },
          ],
        },
      }),
    );
    const lines = email.text.split("\n");
    for (const line of [
      "Tom & Jerry Bcc: shop@evil.test",
      "Deals at Tom & Jerry Bcc: shop@evil.test",
      "Fish & chips <i>today</i>, Ann X-Name: 1.",
      "Second &amp; last.",
      "<b>Tom & Jerry</b> Bcc: evil@evil.test",
      "<script>alert(1)</script> X-Variant: 1",
      "Use code BACK X-Code: 1 at checkout.",
      "BACK X-Code: 1",
      "Go <now> & save: https://acme.myshopify.com/123/checkouts/abc/recover?key=k1",
      "You received this email because you shopped at Tom & Jerry Bcc: shop@evil.test.",
      "1 Main St Springfield",
    ]) {
      expect(lines, line).toContain(line);
    }
    expect(email.text).not.toMatch(/\r|&#\d+;|&lt;|&gt;|&amp;(?! last)/);
    expect(lines.filter((l) => /^(Bcc|X-\w+):/.test(l))).toEqual([]);
  });

  it("keeps the copy's paragraphs and line breaks, as the HTML does", async () => {
    const step = { subject: "Hi", body: [{ type: "text" as const, text: "Line  one\r\nLine two\n\n\n\n  Second   paragraph  \n \n \nLast" }] };
    const email = await renderRecoveryEmail(input({ step }));
    expect(email.text).toContain("\n\nLine one\nLine two\n\nSecond paragraph\n\nLast\n\n");
  });

  it("leaves out the preheader", async () => {
    const step = { ...discountStep, preheader: "Psst {{ shop_name }}, a secret preview line" };
    const email = await renderRecoveryEmail(input({ step, discountCode: "BACK-7Q2X" }));
    expect(email.html).toContain("Psst Acme Outfitters, a secret preview line");
    expect(email.text).not.toContain("secret preview");
  });

  it("formats each locale and currency pair on its own, whatever was formatted before", async () => {
    const total = async (locale: string | undefined, currency: string) =>
      /Total: (.*)/
        .exec(
          (await renderRecoveryEmail(input({ shop: { name: "A", currency, locale }, checkout: { ...input().checkout, currency, totalCents: 12_345 } }))).text,
        )![1]
        .replace(/\u00a0/g, " ");
    for (let round = 0; round < 2; round++) {
      expect(await total("de-DE", "EUR")).toBe("123,45 €");
      expect(await total(undefined, "EUR")).toBe("€123.45");
      expect(await total("de-DE", "USD")).toBe("123,45 $");
      expect(await total(undefined, "USD")).toBe("$123.45");
      expect(await total(undefined, "Not a\ncurrency")).toBe("123.45 Not a currency");
    }
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
    Array.from({ length: 7 }, (_, i) => ({
      title: `<img src=x onerror=alert(${i})> "Tee" ${i}`,
      quantity: i + 1,
      priceCents: 999 * (i + 1),
      imageUrl: i % 2 ? null : `//cdn.example.com/${i}.png`,
    })),
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
            shop: {
              name: k % 2 ? "Acme & Co" : "Café Ünïcode",
              currency: "EUR",
              locale: n % 2 ? "de-DE" : undefined,
              address: k === 2 ? "1 Main St, Springfield" : null,
            },
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
