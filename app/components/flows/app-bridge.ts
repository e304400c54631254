import { useEffect, useState } from "react";

/**
 * App Bridge loads from Shopify's CDN and exists only inside the admin (or the demo's
 * stand-in). Offline, `window.shopify` is missing and `<ui-save-bar>` is an unknown element,
 * so everything here checks before it calls and reports whether it could.
 */
interface ToastGlobal {
  toast?: { show?: (message: string, options?: { isError?: boolean; duration?: number }) => unknown };
}

export function showToast(message: string, options: { isError?: boolean } = {}): boolean {
  if (typeof window === "undefined") return false;
  const shopify = (window as unknown as { shopify?: ToastGlobal }).shopify;
  if (typeof shopify?.toast?.show !== "function") return false;
  try {
    shopify.toast.show(message, options.isError ? { isError: true } : undefined);
    return true;
  } catch {
    return false;
  }
}

/** True once the `<ui-save-bar>` element is defined (App Bridge or its demo stand-in loaded). */
export function useSaveBarAvailable(): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    if (typeof customElements === "undefined") return;
    if (customElements.get("ui-save-bar")) {
      setAvailable(true);
      return;
    }
    let cancelled = false;
    customElements
      .whenDefined("ui-save-bar")
      .then(() => !cancelled && setAvailable(true))
      .catch(() => {});
    return () => {
      cancelled = true;
    };
  }, []);
  return available;
}
