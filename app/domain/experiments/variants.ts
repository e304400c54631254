/**
 * A/B variants (issue 21): the arms of a test on a trigger or a flow step.
 *
 * A test has 2..4 arms, stored in the row's `variants` column as a list. The first arm (A) is the
 * row itself (the trigger's `content`; the step's subject, body, discount and delay); every other
 * arm carries its own complete copy of those. Each arm has a stable id, which is what events,
 * exposures, messages and attributions record, and a weight (whole percentages adding up to 100).
 * Labels (A, B, C, D) follow the list's order. The holdout is drawn apart from the arms (see
 * `pickArm` in ./assign.ts): holdout visitors see nothing and are never in an arm.
 *
 * No test: `variants` is null, nothing records an arm ("").
 */

export const MAX_ARMS = 4;
export const ARM_LABELS = ["A", "B", "C", "D"] as const;
/** Arm ids: short, safe in events (the storefront's id pattern) and CSV. */
export const ARM_ID = /^[a-z0-9]{4,12}$/;

export interface ArmBase {
  id: string;
  /** whole percent of the non-holdout traffic; all arms add up to 100 */
  weight: number;
}

export const armLabel = (index: number): string => ARM_LABELS[index] ?? `#${index + 1}`;

/** An even split in whole percents, the first arms taking the remainder: 3 → [34, 33, 33]. */
export function evenSplit(n: number): number[] {
  if (n <= 0) return [];
  const base = Math.floor(100 / n);
  return Array.from({ length: n }, (_, i) => base + (i < 100 - base * n ? 1 : 0));
}

/** A fresh arm id (8 base-36 characters). */
export function newArmId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => (b % 36).toString(36)).join("");
}

/** The stored `variants` column as a list of arms, or null when no test runs (or it is not a list of 2+). */
export function armsOf<T extends ArmBase>(stored: unknown): T[] | null {
  if (!Array.isArray(stored) || stored.length < 2) return null;
  const ok = stored.every((a) => a && typeof a === "object" && typeof a.id === "string" && typeof a.weight === "number");
  return ok ? (stored as T[]) : null;
}

/** Where each arm keeps what it shows: `content` on a trigger, `step` on a flow email. */
export interface ArmBody {
  key: "content" | "step";
  /** what arm A is instead ("the trigger's own content") */
  own: string;
  /** what the other arms need ("content") */
  what: string;
}

/**
 * Problems with a list of arms, keyed by dotted path under `variants` ("" for the list): ids,
 * weights and the split; with `body`, also arm A carrying nothing and B–D carrying their own.
 */
export function armListErrors(arms: Array<ArmBase & { content?: unknown; step?: unknown }>, body?: ArmBody): Record<string, string> {
  const errors: Record<string, string> = {};
  if (body) {
    arms.forEach((a, i) => {
      if (i === 0 && a[body.key] != null) errors[`0.${body.key}`] = `Variant A is ${body.own}`;
      if (i > 0 && a[body.key] == null) errors[`${i}.${body.key}`] = `Variant ${armLabel(i)} needs its ${body.what}`;
    });
  }
  if (arms.length === 1 || arms.length > MAX_ARMS) errors[""] = `A test needs 2 to ${MAX_ARMS} variants`;
  const seen = new Set<string>();
  arms.forEach((a, i) => {
    if (!ARM_ID.test(a.id)) errors[`${i}.id`] = "Variant id must be 4–12 lowercase letters or digits";
    else if (seen.has(a.id)) errors[`${i}.id`] = "Two variants have the same id";
    seen.add(a.id);
    if (!Number.isInteger(a.weight) || a.weight < 0 || a.weight > 100) errors[`${i}.weight`] = "Traffic share must be a whole percent from 0 to 100";
  });
  const total = arms.reduce((s, a) => s + (Number.isFinite(a.weight) ? a.weight : 0), 0);
  if (arms.length >= 2 && total !== 100 && !Object.keys(errors).some((k) => k.endsWith("weight"))) {
    errors[""] = `The variants' traffic shares add up to ${total} %; make them add up to 100 %`;
  }
  if (arms.length >= 2 && arms.filter((a) => a.weight > 0).length < 2 && !errors[""]) {
    errors[""] = "At least two variants need a traffic share above 0 %";
  }
  return errors;
}

/** A dotted error key of `armListErrors` as a zod issue path under `variants`. */
export const armIssuePath = (key: string): PropertyKey[] => ["variants", ...(key ? key.split(".").map((x) => (/^\d+$/.test(x) ? Number(x) : x)) : [])];
