/**
 * JSON.parse for webhook bodies that keeps every digit of Shopify's 64-bit ids.
 *
 * Shopify's ids run past 2^53 (its own sample payloads carry 820982911946154508); plain
 * JSON.parse turns such a literal into the nearest double (…500) and the id is lost. An integer
 * literal that is not a safe integer is returned as its source text instead, through the reviver's
 * `context.source` (JSON.parse source text access, on by default since V8 11.4 / Node 21).
 * Bodies without a literal of 16 or more digits — most of them — skip the reviver and its cost.
 */
type SourceContext = { source?: string };
type Reviver = (this: unknown, key: string, value: unknown, context?: SourceContext) => unknown;

const LONG_NUMBER = /\d{16}/;
const INTEGER = /^-?\d+$/;

const keepDigits: Reviver = (_key, value, context) =>
  typeof value === "number" && !Number.isSafeInteger(value) && context?.source && INTEGER.test(context.source) ? context.source : value;

export function parseWebhookJson(body: string): unknown {
  return LONG_NUMBER.test(body) ? JSON.parse(body, keepDigits as Parameters<typeof JSON.parse>[1]) : JSON.parse(body);
}
