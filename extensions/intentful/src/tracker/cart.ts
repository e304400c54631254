/**
 * Notices cart changes without polling: wraps fetch and XMLHttpRequest for the Ajax Cart API
 * and listens to cart form submits. The wrappers only look at URLs; they never delay or alter
 * the theme's requests.
 */
import { w } from "./dom";

export const CART_CHANGE = /\/cart\/(add|change|update|clear)(\.js)?(\?|$)/;

export type CartKind = "add" | "change" | "update" | "clear";

/** fetch's first argument as a URL string: a Request's url, a URL's or a string's text. */
export function requestUrl(input: unknown): string {
  return (input as Request | undefined)?.url || String(input);
}

/** Installs the wrappers; returns the original fetch for the tracker's own requests. */
export function watchCart(onChange: (kind: CartKind) => void): typeof fetch {
  const orig = w.fetch;
  w.fetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
    const p = orig.call(this, input, init);
    const m = CART_CHANGE.exec(requestUrl(input));
    if (m)
      p.then(
        (r) => r.ok && onChange(m[1] as CartKind),
        () => {},
      );
    return p;
  } as typeof fetch;
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (this: XMLHttpRequest, ...args: unknown[]) {
    const m = CART_CHANGE.exec(String(args[1]));
    if (m) this.addEventListener("load", () => this.status < 400 && onChange(m[1] as CartKind));
    return (open as (...a: unknown[]) => void).apply(this, args);
  } as typeof open;
  return orig.bind(w);
}

export interface CartJson {
  item_count: number;
  total_price: number;
  token?: string;
}
