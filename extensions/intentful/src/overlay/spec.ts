import type { CompiledTrigger } from "~/domain/triggers/types";
import type { EmbedContext, OverlaySpec } from "../types";

interface ShopifyLike {
  routes?: { root?: string };
  locale?: string;
  currency?: { active?: string };
}

/**
 * Recently viewed products for the overlay, newest first, without the product on screen — unless
 * it is the only one: "viewed the same product twice" is what the browse template fires on, and an
 * empty list would keep its overlay from ever showing.
 */
export function otherThanThis(recent: string[], handle: string | undefined): string[] {
  const others = recent.filter((h) => h !== handle);
  return others.length ? others : recent;
}

/**
 * The overlay spec for a trigger on the storefront: the trigger's content and the block's look.
 * The trigger's own copy wins; the theme editor's headline, body and button text are defaults,
 * used only where the trigger's is empty (issue 20). `bodyFont` is the page's
 * body font, used when the merchant keeps "inherit".
 */
export function specFromEmbed(t: CompiledTrigger, ctx: EmbedContext, recent: string[], shopify: ShopifyLike, bodyFont: string): OverlaySpec {
  const S = ctx.settings;
  const root = shopify.routes?.root || "/";
  return {
    triggerId: t.id,
    layout: t.o.layout && t.o.layout !== "default" ? (t.o.layout as OverlaySpec["layout"]) : S.position,
    content: { ...t.o, headline: t.o.headline || S.headline, body: t.o.body || S.body, button: t.o.button || S.button },
    theme: {
      bg: S.bg,
      fg: S.fg,
      btn: S.btn,
      btnFg: S.btnFg,
      radius: S.radius,
      font: S.font || bodyFont,
      image: S.image,
      reducedMotion: S.reduced,
    },
    strings: ctx.strings,
    locale: shopify.locale || ctx.locale || "en",
    currency: shopify.currency?.active || ctx.currency,
    root: root.endsWith("/") ? root : root + "/",
    productId: ctx.product && ctx.product.id,
    recent: otherThanThis(recent, ctx.product?.handle),
  };
}
