/** The lazily loaded storefront chunk: registers the renderer for the tracker. */
import type { CompiledTrigger } from "~/domain/triggers/types";
import type { EmbedContext, OverlayEvent } from "../types";
import { mountOverlay } from "./render";
import { specFromEmbed } from "./spec";

export interface OverlayApi {
  mountOverlay: typeof mountOverlay;
  /** Renders a trigger's overlay in a fresh host at the end of <body>; the host goes when it closes. */
  show(trigger: CompiledTrigger, ctx: EmbedContext, recent: string[], onEvent: (e: OverlayEvent) => void): void;
}

const api: OverlayApi = {
  mountOverlay,
  show(trigger, ctx, recent, onEvent) {
    const host = document.createElement("intentful-overlay");
    document.body.appendChild(host);
    const shopify = (window as { Shopify?: object }).Shopify || {};
    const spec = specFromEmbed(trigger, ctx, recent, shopify, getComputedStyle(document.body).fontFamily);
    mountOverlay(host, spec, {
      onEvent(e) {
        if (e.type === "dismiss" || e.type === "empty") host.remove();
        onEvent(e);
      },
    });
  },
};

(window as { IntentfulOverlay?: OverlayApi }).IntentfulOverlay = api;
