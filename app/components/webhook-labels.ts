/** How the admin names a webhook topic's deliveries: "checkout update" / "checkout updates". */
const NOUNS: Record<string, [one: string, many: string]> = {
  "checkouts/create": ["new checkout", "new checkouts"],
  "checkouts/update": ["checkout update", "checkout updates"],
  "checkouts/delete": ["checkout deletion", "checkout deletions"],
  "carts/create": ["new cart", "new carts"],
  "carts/update": ["cart update", "cart updates"],
  "orders/create": ["new order", "new orders"],
  "app/uninstalled": ["uninstall notice", "uninstall notices"],
  "app/scopes_update": ["permission change", "permission changes"],
  "customers/data_request": ["customer data request", "customer data requests"],
  "customers/redact": ["customer erasure request", "customer erasure requests"],
  "shop/redact": ["shop erasure request", "shop erasure requests"],
};

const rules = new Intl.PluralRules("en-US");

export function deliveryNoun(topic: string, count: number): string {
  const [one, many] = NOUNS[topic] ?? [`${topic} delivery`, `${topic} deliveries`];
  return rules.select(count) === "one" ? one : many;
}

/** "12 checkout updates could not be read" / "1 uninstall notice was refused". */
export function deliveryProblemSentence(topic: string, outcome: string, count: number): string {
  const one = rules.select(count) === "one";
  const what = `${count.toLocaleString("en-US")} ${deliveryNoun(topic, count)}`;
  if (outcome === "refused") return `${what} ${one ? "was" : "were"} refused (headers that did not match the signed body)`;
  if (outcome === "expired") return `${what} ${one ? "was" : "were"} older than Shopify's retry window and not acted on`;
  return `${what} could not be read`;
}

export const OUTCOME_LABELS: Record<string, { label: string; tone?: "success" | "critical" | "warning" | "attention" | "info" }> = {
  accepted: { label: "Applied", tone: "success" },
  stale: { label: "Older than stored", tone: "info" },
  duplicate: { label: "Duplicate" },
  ignored: { label: "Ignored" },
  rejected: { label: "Could not be read", tone: "critical" },
  refused: { label: "Refused", tone: "critical" },
  expired: { label: "Too old", tone: "warning" },
};
