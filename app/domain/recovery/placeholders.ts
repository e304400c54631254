/**
 * The few `{{ name }}` placeholders merchant copy may use. Deliberately not Liquid:
 * copy is plain text, so the only thing a placeholder can do is insert a value.
 * `{{ first_name | default: "there" }}` supplies a fallback for a missing value.
 * `{{ discount }}` ("15%") and `{{ discount_expires }}` (the code's last day, in the shop's
 * time zone and locale) come from the step's offer, so the copy follows it when it changes.
 */
export const PLACEHOLDERS = ["first_name", "shop_name", "discount_code", "discount", "discount_expires"] as const;
/** Placeholders that only mean something on a step with a discount (and a code to show). */
export const OFFER_PLACEHOLDERS: readonly PlaceholderName[] = ["discount_code", "discount", "discount_expires"];
export type PlaceholderName = (typeof PLACEHOLDERS)[number];
export type PlaceholderValues = Partial<Record<PlaceholderName, string | null | undefined>>;

const PATTERN = /\{\{\s*([A-Za-z0-9_.-]*)\s*(?:\|\s*default\s*:\s*"([^"]*)"\s*)?\}\}/g;

export function isPlaceholderName(name: string): name is PlaceholderName {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

/** Names used in `text`, in order of appearance, unknown ones included. */
export function placeholdersIn(text: string): string[] {
  return Array.from(text.matchAll(PATTERN), (m) => m[1]);
}

/** The offer placeholders used in `text`: a block using one is left out when there is no code. */
export function offerPlaceholdersIn(text: string): string[] {
  return placeholdersIn(text).filter((name) => (OFFER_PLACEHOLDERS as readonly string[]).includes(name));
}

export function unknownPlaceholders(text: string): string[] {
  return placeholdersIn(text).filter((name) => !isPlaceholderName(name));
}

/** Replaces known placeholders; unknown ones are left as typed so a mistake stays visible. */
export function fillPlaceholders(text: string, values: PlaceholderValues): string {
  return text.replace(PATTERN, (whole, name: string, fallback: string | undefined) => {
    if (!isPlaceholderName(name)) return whole;
    const value = values[name];
    return value != null && value !== "" ? value : (fallback ?? "");
  });
}
