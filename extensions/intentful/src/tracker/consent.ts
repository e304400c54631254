import { shopify } from "./shopify";

export interface Consent {
  analytics: boolean;
  marketing: boolean;
}

/**
 * Reads the Customer Privacy API. Where the page has no consent framework at all (no API, no
 * loader) nothing restricts processing; where the API exists but is not loaded yet, nothing is
 * allowed until it is.
 */
export function readConsent(): Consent {
  const s = shopify();
  const cp = s.customerPrivacy;
  if (cp?.analyticsProcessingAllowed) return { analytics: !!cp.analyticsProcessingAllowed(), marketing: !!cp.marketingAllowed() };
  const allowed = !s.loadFeatures;
  return { analytics: allowed, marketing: allowed };
}

/** Loads the Customer Privacy API if the theme has not (called on first interaction, never at load). */
export function loadConsentApi(done: () => void): void {
  const s = shopify();
  if (s.customerPrivacy || !s.loadFeatures) return;
  s.loadFeatures([{ name: "consent-tracking-api", version: "0.1" }], (error) => {
    if (!error) done();
  });
}
