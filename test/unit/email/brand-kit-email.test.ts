import mjml2html from "mjml";
import { describe, expect, it } from "vitest";
import { flowTemplates } from "~/domain/recovery/templates";
import type { StepInput } from "~/domain/recovery";
import { renderRecoveryEmail, type RenderInput } from "~/services/email/render.server";

/**
 * Issue 20 item 3, "Emails a brand would send": the brand's logo and colour, a recommendations
 * block with the products, and copy that follows the offer ({{ discount }}).
 */
const brand = { logoUrl: "https://cdn.example.com/acme-logo.png", primaryColor: "#0b5d3b", accentColor: "#f4c430" };
const recommendations = [
  { title: "Wool Beanie", priceCents: 2_400, imageUrl: "https://cdn.example.com/beanie.png", url: "https://acme.myshopify.com/products/wool-beanie" },
  { title: "Cotton Socks", priceCents: 1_200, imageUrl: "https://cdn.example.com/socks.png", url: "https://acme.myshopify.com/products/cotton-socks" },
  { title: "Canvas Tote", priceCents: 3_000, imageUrl: null, url: "https://acme.myshopify.com/products/canvas-tote" },
];

function input(step: StepInput, overrides: Partial<RenderInput> = {}): RenderInput {
  return {
    shop: { name: "Acme Outfitters", currency: "USD", timezone: "America/New_York" },
    step: step.body.some((b) => b.type === "recommendations") ? step : { ...step, body: [...step.body, { type: "recommendations" }] },
    checkout: {
      lineItems: [{ title: "Linen Shirt", variantTitle: "Sand / M", quantity: 1, priceCents: 4_800, imageUrl: "https://cdn.example.com/shirt.png" }],
      totalCents: 4_800,
      currency: "USD",
      recoveryUrl: "https://app.example.com/r/m1?s=sig",
      firstName: "Ann",
    },
    discountCode: "BACK-7Q2X",
    unsubscribeUrl: "https://app.example.com/unsubscribe?token=t0k3n",
    brand,
    recommendations,
    now: new Date("2026-12-06T15:00:00Z"),
    ...overrides,
  };
}

const discountStep = flowTemplates.checkout.steps[1];

describe("a recovery email with the brand kit, recommendations and the offer's placeholders", () => {
  it("shows the brand logo (with alt text) and the brand colour on the button, with text that reads on it", async () => {
    const email = await renderRecoveryEmail(input(discountStep));
    expect(email.html).toMatch(
      /<img[^>]+alt="Acme Outfitters"[^>]+src="https:\/\/cdn\.example\.com\/acme-logo\.png"|<img[^>]+src="https:\/\/cdn\.example\.com\/acme-logo\.png"[^>]+alt="Acme Outfitters"/,
    );
    // The button: the brand colour behind white text (#0b5d3b reaches 4.5:1 against white, not black).
    expect(email.html).toMatch(/bgcolor="#0b5d3b"/i);
    expect(email.html).toMatch(/background:#0b5d3b[^"]*color:#ffffff|color:#ffffff[^"]*background:#0b5d3b/i);
  });

  it("picks black text on a light brand colour", async () => {
    const email = await renderRecoveryEmail(input(discountStep, { brand: { ...brand, primaryColor: "#f4c430" } }));
    expect(email.html).toMatch(/bgcolor="#f4c430"/i);
    expect(email.html).toMatch(/background:#f4c430[^"]*color:#000000|color:#000000[^"]*background:#f4c430/i);
  });

  it("renders the recommendations block: each product's image, title, price and link, in HTML and text", async () => {
    const email = await renderRecoveryEmail(input(discountStep));
    for (const r of recommendations) {
      expect(email.html).toContain(r.title);
      expect(email.html).toContain(`href="${r.url}"`);
      expect(email.text).toContain(r.title);
      expect(email.text).toContain(r.url);
    }
    expect(email.html).toContain('src="https://cdn.example.com/beanie.png"');
    expect(email.html).toContain("$24.00");
    expect(email.text).toContain("$24.00");
    expect(email.html).toContain("You may also like");
  });

  it("leaves the block out when there is nothing to recommend", async () => {
    const email = await renderRecoveryEmail(input(discountStep, { recommendations: [] }));
    expect(email.html).not.toContain("You may also like");
    expect(email.text).not.toContain("You may also like");
  });

  it("follows the offer: a step's discount changed from 10 to 15 changes subject, preview text and body", async () => {
    const ten = await renderRecoveryEmail(input({ ...discountStep, discountPercent: 10 }));
    const fifteen = await renderRecoveryEmail(input({ ...discountStep, discountPercent: 15 }));
    expect(ten.subject).toContain("10%");
    expect(fifteen.subject).toContain("15%");
    expect(fifteen.subject).not.toContain("10%");
    const preheader = (html: string) => /<div style="display:none[^>]*>([^<]*)</.exec(html)?.[1] ?? "";
    expect(preheader(ten.html)).toContain("10%");
    expect(preheader(fifteen.html)).toContain("15%");
    expect(preheader(fifteen.html)).not.toContain("10%");
    for (const part of [fifteen.html, fifteen.text]) {
      expect(part).toContain("save 15%");
      expect(part).not.toContain("10%");
    }
  });

  it("fills {{ discount_expires }} with the code's last day in the shop's time zone", async () => {
    const step: StepInput = {
      ...discountStep,
      subject: "{{ discount }} off until {{ discount_expires }}",
      discountPercent: 15,
      discountExpiryDays: 7,
    };
    const email = await renderRecoveryEmail(input(step));
    expect(email.subject).toBe("15% off until December 13, 2026");
  });

  it("leaves out a block that names the offer when there is no code to show", async () => {
    const step: StepInput = {
      ...discountStep,
      discountPercent: 15,
      body: [
        { type: "text", text: "Always here." },
        { type: "text", text: "Save {{ discount }} until {{ discount_expires }}." },
      ],
    };
    const email = await renderRecoveryEmail(input(step, { discountCode: null }));
    expect(email.text).toContain("Always here.");
    expect(email.text).not.toContain("Save");
    expect(email.html).not.toContain("Save 15%");
  });

  it("names no percentage in the built-in templates' copy: it comes from the offer", () => {
    for (const template of Object.values(flowTemplates)) {
      for (const step of template.steps) {
        for (const text of [step.subject, step.preheader, ...step.body.map((b) => b.text ?? "")]) expect(text).not.toMatch(/\d\s*%/);
      }
    }
  });

  it("renders every template, with the brand kit and recommendations, to HTML that MJML finds no errors in", async () => {
    const { mjmlForTests } = await import("~/services/email/render.server");
    for (const template of Object.values(flowTemplates)) {
      for (const step of template.steps) {
        const source = mjmlForTests(input(step));
        const result = await mjml2html(source, { validationLevel: "soft" });
        expect(result.errors, `${template.kind}: ${JSON.stringify(result.errors)}`).toEqual([]);
        const email = await renderRecoveryEmail(input(step));
        // Every image has a width (Outlook draws images at their file size without one) and alt text.
        const images = email.html.match(/<img\b[^>]*>/g) ?? [];
        expect(images.length).toBeGreaterThanOrEqual(3);
        for (const img of images) {
          expect(img).toMatch(/\bwidth="\d+"/);
          expect(img).toMatch(/\balt="[^"]*"/);
        }
        expect(email.text).toContain("Wool Beanie");
        // Gmail clips a message over 102 KB ("[Message clipped]"), hiding the footer and its unsubscribe link.
        expect(Buffer.byteLength(email.html)).toBeLessThan(102 * 1024);
      }
    }
  });
});
