import { useSyncExternalStore, type ReactNode } from "react";

const subscribe = () => () => {};

/**
 * False while the server renders and during hydration, true from then on (and at once after a
 * client-side navigation). React re-renders after hydrating, so the server HTML is matched
 * exactly and nothing warns.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}

/**
 * Renders `children` only in the browser, `fallback` on the server and during hydration. For
 * components that need `window`, layout or ResizeObserver (charts). `children` is a function so
 * the browser-only tree is not even built on the server. Give `fallback` the same size as the
 * rendered content, or the page shifts when it swaps in.
 */
export function ClientOnly({ children, fallback = null }: { children: () => ReactNode; fallback?: ReactNode }) {
  return <>{useHydrated() ? children() : fallback}</>;
}
