import { createRequire } from "node:module";
import { type Browser, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildStorefront } from "../../scripts/build-storefront";
import en from "../../extensions/intentful/locales/en.default.json";
import type { OverlaySpec } from "../../extensions/intentful/src/types";
import { launchChromium } from "../support/browser";

const require = createRequire(import.meta.url);
const XSS = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`;

let browser: Browser;
let overlayJs: string;
let page: Page;
let pageErrors: string[];

const spec = (over: Partial<OverlaySpec> = {}): OverlaySpec => ({
  triggerId: "t1",
  layout: "modal",
  content: { kind: "recommendations", headline: "Before you go", body: "You might like these." },
  theme: {
    bg: "#ffffff",
    fg: "#1a1a1a",
    btn: "#1a1a1a",
    btnFg: "#ffffff",
    radius: 8,
    font: "",
    image: "",
    reducedMotion: false,
  },
  strings: en.intentful,
  locale: "en",
  currency: "USD",
  root: "/",
  data: {
    products: [
      { title: "Wool hat", url: "/products/wool-hat", price: 2500, image: null },
      { title: "Scarf", url: "/products/scarf", price: 3900, image: null },
    ],
  },
  ...over,
});

/** Mounts the built overlay chunk's renderer into a fresh host; events land in window.__events. */
async function open(s: OverlaySpec) {
  await page.evaluate((s) => {
    const w = window as unknown as { __events: unknown[]; IntentfulOverlay: { mountOverlay: Function } };
    w.__events = [];
    const host = document.createElement("intentful-overlay");
    document.body.appendChild(host);
    w.IntentfulOverlay.mountOverlay(host, s, { onEvent: (e: unknown) => w.__events.push(e) });
  }, s);
  await page.locator("[role=dialog]").waitFor({ state: "visible" });
}

/** Where focus is: "dialog", "inside:<tag>", or the page element's id. */
const focusInfo = () =>
  page.evaluate(() => {
    const a = document.activeElement;
    if (a?.tagName === "INTENTFUL-OVERLAY") {
      const inner = a.shadowRoot?.activeElement;
      if (!inner) return "host";
      return inner.getAttribute("role") === "dialog" ? "dialog" : `inside:${inner.tagName.toLowerCase()}`;
    }
    return a?.id || a?.tagName || "none";
  });

beforeAll(async () => {
  const built = await buildStorefront({ write: false });
  overlayJs = built.files.find((f) => f.role === "overlay")!.code;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  page = await browser.newPage();
  pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") pageErrors.push(m.text());
  });
  // A hostile theme: its CSS must not reach the overlay.
  await page.setContent(`<!doctype html><html lang="en"><head><title>Shop</title>
    <style>* { color: red !important; display: block; font-size: 40px } button { visibility: hidden }</style></head>
    <body><main><h1>Store</h1><input id="opener" aria-label="Search"><a id="after" href="#">After</a></main></body></html>`);
  await page.addScriptTag({
    content: `window.Shopify = { routes: { root: "/" }, locale: "en", currency: { active: "USD" } };`,
  });
  await page.addScriptTag({ content: overlayJs });
});

afterEach(async () => {
  await page.close();
  expect(pageErrors).toEqual([]);
});

describe("overlay accessibility (built chunk, real Chromium)", () => {
  it("opens a modal dialog labelled by its heading, with focus moved in", async () => {
    await page.focus("#opener");
    await open(spec());
    const dialog = page.locator("[role=dialog]");
    expect(await dialog.getAttribute("aria-modal")).toBe("true");
    const labelledBy = await dialog.getAttribute("aria-labelledby");
    expect(await page.locator(`#${labelledBy}`).textContent()).toBe("Before you go");
    expect(await focusInfo()).toBe("dialog");
    expect(await page.locator("[role=dialog] button.x").getAttribute("aria-label")).toBe("Close");
    expect(await page.evaluate(() => (window as unknown as { __events: Array<{ type: string }> }).__events)).toEqual([{ type: "impression" }]);
  });

  it("traps focus inside the modal in both directions", async () => {
    await page.focus("#opener");
    await open(spec());
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press("Tab");
      expect(await focusInfo()).toMatch(/^inside:/);
    }
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press("Shift+Tab");
      expect(await focusInfo()).toMatch(/^inside:/);
    }
  });

  it("closes on Escape and returns focus to where it was", async () => {
    await page.focus("#opener");
    await open(spec());
    await page.keyboard.press("Tab");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator("[role=dialog]").count()).toBe(0);
    expect(await focusInfo()).toBe("opener");
    const events = await page.evaluate(() => (window as unknown as { __events: Array<{ type: string }> }).__events);
    expect(events.map((e) => e.type)).toEqual(["impression", "dismiss"]);
  });

  it("closes with the visible close button", async () => {
    await page.focus("#opener");
    await open(spec());
    await page.locator("[role=dialog] button.x").click();
    await expect.poll(() => page.locator("[role=dialog]").count()).toBe(0);
    expect(await focusInfo()).toBe("opener");
  });

  // Issue 20: with an image and a light text colour the × was drawn in the text colour over the
  // image. It must read at 4.5:1 on an opaque disc of its own, whatever the image or the colours.
  it("keeps the close control readable over an image, whatever the merchant's colours", async () => {
    await page.route("https://img.test/**", (r) =>
      r.fulfill({
        contentType: "image/svg+xml",
        body: `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="180"><rect width="320" height="180" fill="#f4f4f4"/></svg>`,
      }),
    );
    const closeControl = () =>
      page.evaluate(() => {
        const root = [...document.querySelectorAll("intentful-overlay")].pop()!.shadowRoot!;
        const x = root.querySelector<HTMLElement>("button.x")!;
        const img = root.querySelector<HTMLImageElement>("img.im");
        const box = x.getBoundingClientRect();
        const cs = getComputedStyle(x);
        const rgba = (c: string) => c.match(/[\d.]+/g)!.map(Number);
        const lum = ([r, g, b]: number[]) => {
          const f = (v: number) => ((v /= 255) <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
          return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        // a transparent control shows the dialog's background
        const own = rgba(cs.backgroundColor);
        const bg = own.length === 4 && own[3] === 0 ? rgba(getComputedStyle(root.querySelector("[role=dialog]")!).backgroundColor) : own;
        const fg = rgba(cs.color);
        const [a, b] = [lum(fg), lum(bg)];
        return {
          overImage: !!img && img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().top <= box.top,
          onTop: root.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2) === x,
          opaque: bg.length === 3 || bg[3] === 1,
          ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
        };
      });
    const close = () => page.locator("[role=dialog] button.x").click();
    const theme = spec().theme;
    // dark dialog, white text, a light image under the ×
    await open(spec({ theme: { ...theme, bg: "#1a1a1a", fg: "#ffffff", image: "https://img.test/light.svg" } }));
    await page.waitForFunction(
      () => ([...document.querySelectorAll("intentful-overlay")].pop()!.shadowRoot!.querySelector("img.im") as HTMLImageElement).complete,
    );
    const dark = await closeControl();
    expect(dark).toMatchObject({ overImage: true, onTop: true, opaque: true });
    expect(dark.ratio).toBeGreaterThanOrEqual(4.5);
    await close();
    // colours that do not read on each other: the × falls back to black or white
    await open(spec({ theme: { ...theme, bg: "#7a7a7a", fg: "#8a8a8a", image: "https://img.test/light.svg" } }));
    const poor = await closeControl();
    expect(poor).toMatchObject({ onTop: true, opaque: true });
    expect(poor.ratio).toBeGreaterThanOrEqual(4.5);
    await close();
    // no image: the text colour as before, where it reads
    await open(spec());
    expect((await closeControl()).ratio).toBeGreaterThanOrEqual(4.5);
  });

  it("has no serious or critical axe violations", async () => {
    await open(spec());
    await page.addScriptTag({ path: require.resolve("axe-core") });
    const violations = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: {
            run: (ctx: Document) => Promise<{ violations: Array<{ id: string; impact: string; nodes: unknown[] }> }>;
          };
        }
      ).axe;
      const r = await axe.run(document);
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
    });
    expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);
  });

  it.each(["email_capture", "discount_reveal", "cart_reminder"] as const)("has no serious axe violations for %s", async (kind) => {
    const content =
      kind === "discount_reveal"
        ? { kind, headline: "A gift", code: "SAVE10" }
        : kind === "email_capture"
          ? { kind, headline: "Join us", code: "WELCOME10" }
          : { kind, headline: "Your cart" };
    await open(
      spec({
        layout: "slide_in",
        content,
        data: {
          cart: {
            itemCount: 2,
            total: 5000,
            items: [{ title: "Hat", url: "/products/hat", price: 2500, quantity: 2 }],
          },
        },
      }),
    );
    await page.addScriptTag({ path: require.resolve("axe-core") });
    const serious = await page.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: { run: (ctx: Document) => Promise<{ violations: Array<{ id: string; impact: string }> }> };
        }
      ).axe;
      const r = await axe.run(document);
      return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
    });
    expect(serious).toEqual([]);
  });

  it("renders hostile headlines and product titles as inert text", async () => {
    await open(
      spec({
        content: { kind: "recommendations", headline: XSS, body: XSS },
        data: { products: [{ title: XSS, url: "javascript:window.__xss=3", price: 100, image: "javascript:1" }] },
      }),
    );
    await page.waitForTimeout(100);
    const r = await page.evaluate(() => {
      const root = document.querySelector("intentful-overlay")!.shadowRoot!;
      return {
        xss: (window as unknown as { __xss?: number }).__xss,
        heading: root.querySelector("h2")!.textContent,
        title: root.querySelector(".t")!.textContent,
        scripts: root.querySelectorAll("script").length,
        imgs: Array.from(root.querySelectorAll("img")).map((i) => i.getAttribute("src")),
        href: root.querySelector("a.p")!.getAttribute("href"),
      };
    });
    expect(r).toEqual({ xss: undefined, heading: XSS, title: XSS, scripts: 0, imgs: [], href: "#" });
  });

  it("keeps the theme's CSS out and shifts nothing on the page", async () => {
    const before = await page.locator("h1").boundingBox();
    await open(spec({ layout: "bar" }));
    const r = await page.evaluate(() => {
      const root = document.querySelector("intentful-overlay")!.shadowRoot!;
      const close = root.querySelector("button.x")!;
      const wrap = root.querySelector(".w")!;
      return {
        closeVisible: getComputedStyle(close).visibility,
        color: getComputedStyle(root.querySelector("h2")!).color,
        position: getComputedStyle(wrap).position,
      };
    });
    expect(r).toEqual({ closeVisible: "visible", color: "rgb(26, 26, 26)", position: "fixed" });
    expect(await page.locator("h1").boundingBox()).toEqual(before);
    expect(await page.locator("[role=dialog]").getAttribute("aria-modal")).toBeNull();
  });

  it("honours prefers-reduced-motion and the reduced-animation setting", async () => {
    await page.emulateMedia({ reducedMotion: "reduce" });
    await open(spec());
    const animation = () => page.evaluate(() => getComputedStyle(document.querySelector("intentful-overlay")!.shadowRoot!.querySelector(".d")!).animationName);
    expect(await animation()).toBe("none");
    await page.emulateMedia({ reducedMotion: "no-preference" });
    expect(await animation()).not.toBe("none");
    await page.evaluate(() => document.querySelector("intentful-overlay")!.remove());
    await open(spec({ theme: { ...spec().theme, reducedMotion: true } }));
    expect(await animation()).toBe("none");
  });

  it("captures an email only with a valid address and the consent box ticked", async () => {
    await open(spec({ content: { kind: "email_capture", headline: "Join us", code: "WELCOME10" } }));
    const email = page.locator("[role=dialog] input[type=email]");
    await email.fill("not-an-email");
    await page.locator("[role=dialog] button[type=submit]").click();
    await expect.poll(() => page.locator("[role=dialog] [role=alert]").textContent()).toBe(en.intentful.invalid_email);
    await email.fill("ada@example.com");
    await page.locator("[role=dialog] button[type=submit]").click();
    await expect.poll(() => page.locator("[role=dialog] [role=alert]").textContent()).toBe(en.intentful.consent_required);
    await page.getByLabel(en.intentful.consent).check();
    await page.locator("[role=dialog] button[type=submit]").click();
    await page.locator("[role=dialog] .code").waitFor();
    expect(await page.locator("[role=dialog] .code").textContent()).toBe("WELCOME10");
    const events = await page.evaluate(() => (window as unknown as { __events: unknown[] }).__events);
    expect(events).toContainEqual({ type: "email_capture", email: "ada@example.com", marketingConsent: true });
  });

  it("reveals a discount code on request", async () => {
    await open(spec({ content: { kind: "discount_reveal", headline: "A gift", code: "SAVE10" } }));
    expect(await page.locator("[role=dialog] .code").count()).toBe(0);
    await page.getByRole("button", { name: en.intentful.reveal }).click();
    expect(await page.locator("[role=dialog] .code").textContent()).toBe("SAVE10");
    expect(await page.locator("[role=dialog] a.btn").getAttribute("href")).toMatch(/^\/discount\/SAVE10\?redirect=/);
    expect(await focusInfo()).toBe("inside:button");
  });

  it("closes itself without an impression when there is nothing to show", async () => {
    await page.evaluate(
      (s) => {
        const w = window as unknown as { __events: unknown[]; IntentfulOverlay: { mountOverlay: Function } };
        w.__events = [];
        const host = document.createElement("intentful-overlay");
        document.body.appendChild(host);
        w.IntentfulOverlay.mountOverlay(host, s, { onEvent: (e: unknown) => w.__events.push(e) });
      },
      spec({ data: { products: [] } }),
    );
    await expect.poll(() => page.evaluate(() => (window as unknown as { __events: unknown[] }).__events)).toEqual([{ type: "empty" }]);
  });

  it("renders a preview inside the given element without taking focus", async () => {
    await page.focus("#opener");
    await page.evaluate((s) => {
      const host = document.createElement("div");
      host.id = "preview";
      host.style.cssText = "width:600px;height:500px";
      document.body.appendChild(host);
      (window as unknown as { IntentfulOverlay: { mountOverlay: Function } }).IntentfulOverlay.mountOverlay(host, s, {
        preview: true,
      });
    }, spec());
    await page.locator("#preview [role=dialog]").waitFor({ state: "visible" });
    expect(await focusInfo()).toBe("opener");
    const pos = await page.evaluate(() => getComputedStyle(document.querySelector("#preview")!.shadowRoot!.querySelector(".w")!).position);
    expect(pos).toBe("absolute");
  });
});
