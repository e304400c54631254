/**
 * The cart as the tracker sees it: Ajax cart calls (through the watcher in ./cart), classic cart
 * form posts and checkout clicks. An add is counted once /cart.js says what the cart holds.
 */
import { ensure } from "./boot";
import type { CartJson, CartKind } from "./cart";
import { readConsent } from "./consent";
import { fire } from "./show";
import { d, on } from "./dom";
import { page, root, s, save, send, track } from "./session";
import { recordCart, recordConversion } from "./state";

let pendingAdds = 0;
let timer: ReturnType<typeof setTimeout> | undefined;

export function onCartChange(kind: CartKind): void {
  if (kind === "add") pendingAdds++;
  clearTimeout(timer);
  timer = setTimeout(refreshCart, 250);
}

/** A cart form posted on the previous page: /cart.js now has the cart's token (boot). */
export function resumeAdd(): void {
  pendingAdds++;
  refreshCart();
}

function refreshCart(): void {
  ensure();
  send(root + "cart.js", { headers: { accept: "application/json" } })
    .then((r) => r.json() as Promise<CartJson>)
    .then((c) => {
      const added = pendingAdds > 0;
      pendingAdds = 0;
      s.pa = false;
      recordCart(s, c.item_count, c.total_price, added);
      if (added) {
        afterAdd(c.total_price, c.token);
        writeVid();
      }
      save();
      fire({ kind: "cart" });
    })
    .catch(() => {});
}

// The cart token ties the add to the cart Shopify's carts/* webhooks name (cart reminders):
// sent once per new cart even for a visitor no trigger reached, else only funnel events.
function afterAdd(valueCents?: number, cartToken?: string): void {
  if (s.exp || (cartToken && s.ct !== cartToken)) track({ kind: "cart_add", productId: page.productId || undefined, valueCents, cartToken });
  if (cartToken) s.ct = cartToken;
  for (const id of recordConversion(s, s.sx)) track({ kind: "conversion", triggerId: id, arm: s.h[id].a, valueCents });
}

// The visitor id goes on the cart (for order attribution) only after an add, and only with consent.
function writeVid(): void {
  if (!readConsent().analytics || s.cv === s.sid) return;
  s.cv = s.sid;
  send(root + "cart/update.js", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ attributes: { _intentful_vid: s.vid } }),
  }).catch(() => {});
}

export function watchCartForms(): void {
  // A classic (non-Ajax) cart form post: the page navigates, and the next page reads /cart.js for
  // the cart's token (a new cart has none before the post) and counts the add there (boot).
  // Checked after dispatch, so a theme listener that turns it into an Ajax add has run.
  on(d, "submit", (e: SubmitEvent) => {
    if (/\/cart\/add/.test((e.target as HTMLFormElement).action))
      setTimeout(() => {
        if (e.defaultPrevented) return;
        ensure().pa = true;
        save();
      });
  });
  // Checkout buttons and links (implicit form submission clicks the default button too).
  on(
    d,
    "click",
    (e: MouseEvent) => {
      if ((e.target as Element).closest?.('a[href*="/checkout"],[name="checkout"]')) {
        ensure().co = true;
        save();
      }
    },
    true,
  );
}
