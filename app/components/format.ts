import type { ComparisonResult } from "~/domain/experiments";

/** Display helpers shared by the admin pages (pure, safe on server and client). */

export function formatMoney(cents: number, currency = "USD", locale = "en-US"): string {
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

export function formatNumber(n: number, locale = "en-US"): string {
  return new Intl.NumberFormat(locale).format(n);
}

/** 0.1234 → "+12.3%" (sign always shown, so a lift reads as a change). */
export function formatSignedPercent(x: number): string {
  const v = Math.round(x * 1000) / 10;
  return `${v > 0 ? "+" : v < 0 ? "−" : ""}${Math.abs(v).toFixed(1)}%`;
}

export function formatRate(part: number, whole: number): string {
  if (whole <= 0) return "—";
  return `${(Math.round((part / whole) * 1000) / 10).toFixed(1)}%`;
}

export type LiftTone = "success" | "critical" | "neutral";

export interface LiftDisplay {
  /** "+12.3%" or a short reason */
  value: string;
  /** "−4.1% to +28.7%" (always-valid 95% interval), when there is one */
  interval: string | null;
  tone: LiftTone;
  /** sentence for screen readers and tooltips */
  description: string;
}

export function describeLift(lift: (ComparisonResult & { visitorsStillNeeded?: number }) | null | undefined): LiftDisplay {
  if (!lift) return { value: "—", interval: null, tone: "neutral", description: "No holdout visitors yet" };
  if (lift.reason === "not_enough_users" || lift.reason === "invalid_input") {
    return { value: "—", interval: null, tone: "neutral", description: "Not enough visitors yet" };
  }
  if (lift.reason === "control_is_zero" || lift.reason === "no_variance") {
    return { value: "—", interval: null, tone: "neutral", description: "No conversions in the holdout yet" };
  }
  const [lo, hi] = lift.relativeCi;
  const tone: LiftTone = lift.significant ? (lift.relativeLift > 0 ? "success" : "critical") : "neutral";
  const value = formatSignedPercent(lift.relativeLift);
  const interval = `${formatSignedPercent(lo)} to ${formatSignedPercent(hi)}`;
  const more = lift.visitorsStillNeeded ? `; about ${formatNumber(Math.round(lift.visitorsStillNeeded))} more visitors to tell` : "";
  const verdict = lift.significant ? (lift.relativeLift > 0 ? "a real increase" : "a real decrease") : `not distinguishable from no effect yet${more}`;
  return { value, interval, tone, description: `Conversion lift ${value} (95% interval ${interval}): ${verdict}` };
}

export function timeAgo(iso: string | Date, now: Date = new Date()): string {
  const ms = now.getTime() - new Date(iso).getTime();
  const min = Math.round(ms / 60_000);
  if (min < 1) return "just now";
  if (min < 60) return `${min} min ago`;
  const h = Math.round(min / 60);
  if (h < 24) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

const plurals = new Intl.PluralRules("en-US");

/** "1 shopper", "0 emails", "1,204 shoppers": a count with its noun in the right number. */
export function count(n: number, one: string, many = `${one}s`, locale = "en-US"): string {
  return `${formatNumber(n, locale)} ${plurals.select(n) === "one" ? one : many}`;
}
