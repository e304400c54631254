/** Number formatting for the analytics page; one fixed locale so server and browser agree. */
const LOCALE = "en-US";

export function formatMoney(cents: number, currency: string, options: { precise?: boolean } = {}): string {
  const value = cents / 100;
  try {
    return new Intl.NumberFormat(LOCALE, {
      style: "currency",
      currency,
      maximumFractionDigits: options.precise || Math.abs(value) < 100 ? 2 : 0,
      minimumFractionDigits: options.precise || Math.abs(value) < 100 ? 2 : 0,
    }).format(value);
  } catch {
    return `${value.toFixed(2)} ${currency}`;
  }
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 }).format(Math.round(n));
}

export function formatPercent(rate: number, digits = 2): string {
  return `${(rate * 100).toFixed(digits)}%`;
}

/** A difference of two rates in percentage points, signed. */
export function formatPoints(diff: number, digits = 2): string {
  const v = diff * 100;
  return `${v > 0 ? "+" : v < 0 ? "−" : ""}${Math.abs(v).toFixed(digits)} pp`;
}

export function formatSignedPercent(rate: number, digits = 1): string {
  const v = rate * 100;
  return `${v > 0 ? "+" : v < 0 ? "−" : ""}${Math.abs(v).toFixed(digits)}%`;
}

export function formatSignedMoney(cents: number, currency: string): string {
  const sign = cents > 0 ? "+" : cents < 0 ? "−" : "";
  return `${sign}${formatMoney(Math.abs(cents), currency, { precise: true })}`;
}

export function formatInterval([low, high]: [number, number], format: (n: number) => string): string {
  return `${format(low)} to ${format(high)}`;
}

export function formatDay(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  return new Intl.DateTimeFormat(LOCALE, { month: "short", day: "numeric", timeZone: "UTC" }).format(d);
}
