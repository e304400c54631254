import type { CompiledContent } from "~/domain/triggers/types";
import { evenSplit, MAX_ARMS, newArmId } from "~/domain/experiments/variants";

/**
 * The trigger editor's form state: one flat map keyed by the schema's dotted paths
 * ("content.headline", "conditions.exit.topZonePx"), so a field error from the shared zod
 * schema lands on the field with the same key. Numbers stay strings while the merchant types;
 * `buildInput` turns the map back into the nested input `parseTriggerInput` validates.
 * Pure: used by the loader (toFormValues) and in the browser (buildInput, previewContent).
 */
export type FormValue = string | boolean | string[];
export type FormValues = Record<string, FormValue>;

type FieldKind = "text" | "int" | "money" | "moneyOrNull" | "bool" | "list" | "csv";

export const FIELDS: Record<string, FieldKind> = {
  name: "text",
  type: "text",
  enabled: "bool",
  priority: "int",
  holdoutPct: "int",
  "conditions.pageTypes": "list",
  "conditions.minTier": "text",
  "conditions.minSeconds": "int",
  "conditions.scrollPct": "int",
  "conditions.minPages": "int",
  "conditions.minProductViews": "int",
  "conditions.minCartItems": "int",
  "conditions.maxCartCents": "moneyOrNull",
  "conditions.idleSec": "int",
  "conditions.minDaysAway": "int",
  "conditions.exit.topZonePx": "int",
  "conditions.exit.minDwellMs": "int",
  "conditions.exit.ignoreLeftPct": "int",
  "conditions.exit.scrollUp": "bool",
  "conditions.exit.tabReturn": "bool",
  "conditions.exit.idleSec": "int",
  "conditions.exit.backTrap": "bool",
  "conditions.schedule.days": "list",
  "conditions.schedule.startHour": "int",
  "conditions.schedule.endHour": "int",
  "segment.visitor": "text",
  "segment.purchaser": "text",
  "segment.discount": "text",
  "segment.minCartCents": "money",
  "segment.minAovCents": "money",
  "segment.devices": "list",
  "segment.sources": "list",
  "segment.countries": "csv",
  "content.kind": "text",
  "content.headline": "text",
  "content.body": "text",
  "content.button": "text",
  "content.layout": "text",
  "content.showCheckout": "bool",
  "content.limit": "int",
  "content.intent": "text",
  "content.consentLabel": "text",
  "content.successText": "text",
  "content.requireConsent": "bool",
  "content.code": "text",
  "content.url": "text",
  "content.addToCart": "bool",
  "content.question": "text",
  "content.expiresMinutes": "int",
  "content.teaser": "text",
  "content.goalCents": "money",
  "frequencyCap.perSession": "int",
  "frequencyCap.perPeriod.count": "int",
  "frequencyCap.perPeriod.days": "int",
  "frequencyCap.stopAfterConversion": "bool",
  "frequencyCap.stopAfterDismiss": "bool",
  "frequencyCap.afterEmail": "bool",
};

/** UI-only: whether the per-period cap is on (perPeriod is null when off). */
export const PER_PERIOD_ON = "frequencyCap.perPeriodOn";

/** UI-only: whether the schedule is on (conditions.schedule is left out when off). */
export const SCHEDULE_ON = "conditions.scheduleOn";

/** Days (0 = Sunday) and hours a schedule starts from when the merchant turns it on. */
const SCHEDULE_DEFAULTS: FormValues = {
  "conditions.schedule.days": ["1", "2", "3", "4", "5", "6", "0"],
  "conditions.schedule.startHour": "9",
  "conditions.schedule.endHour": "17",
};

/** Content fields that exist only for some kinds. */
export const KIND_FIELDS: Record<string, string[]> = {
  cart_reminder: ["showCheckout"],
  recently_viewed: ["limit", "addToCart"],
  recommendations: ["intent", "limit", "addToCart"],
  email_capture: ["consentLabel", "successText", "requireConsent", "code", "question", "expiresMinutes", "teaser"],
  discount_reveal: ["code", "expiresMinutes", "teaser"],
  message: ["url", "goalCents"],
};

/** Values kind-specific fields start from when the merchant switches kind. */
const CONTENT_DEFAULTS: FormValues = {
  "content.showCheckout": true,
  "content.limit": "4",
  "content.intent": "related",
  "content.consentLabel": "",
  "content.successText": "",
  "content.requireConsent": true,
  "content.code": "",
  "content.url": "",
  "content.addToCart": true,
  "content.question": "",
  "content.expiresMinutes": "0",
  "content.teaser": "",
  "content.goalCents": "",
};

function get(obj: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((o, k) => (o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined), obj);
}

function set(obj: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split(".");
  let o = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys[keys.length - 1]] = value;
}

const centsToText = (c: unknown) => (typeof c === "number" ? (c / 100).toFixed(2) : "");

/** One stored value as the form holds it. */
function formValue(kind: FieldKind, v: unknown, fallback: FormValue | undefined): FormValue {
  if (kind === "bool") return v === true;
  if (kind === "list") return Array.isArray(v) ? v.map(String) : [];
  if (kind === "csv") return Array.isArray(v) ? v.join(", ") : "";
  if (kind === "money") return typeof v === "number" && v > 0 ? centsToText(v) : "";
  if (kind === "moneyOrNull") return centsToText(v);
  if (v !== undefined && v !== null) return String(v);
  return fallback ?? "";
}

/** The content fields' paths ("content.headline", …). */
const CONTENT_PATHS = Object.keys(FIELDS).filter((p) => p.startsWith("content."));

/**
 * A/B variants (issue 21) in the form: `variants.ids` lists the arms' ids (empty: no test), each
 * arm's traffic share sits at `variants.<i>.weight`, and the content of arm i ≥ 1 (B, C, D) at
 * `variants.<i>.content.<field>` — the schema's own error paths. Arm A is the `content.*` fields.
 */
export const ARM_IDS = "variants.ids";
export const AUTO_PROMOTE = "autoPromote";

/** Where arm `arm`'s copy of a content field sits ("content.headline" → "variants.1.content.headline"). */
export const armPath = (arm: number, path: string): string => (arm > 0 && path.startsWith("content.") ? `variants.${arm}.${path}` : path);

/** The arms' ids ([] when no test runs). */
export const armIds = (values: FormValues): string[] => (Array.isArray(values[ARM_IDS]) ? (values[ARM_IDS] as string[]) : []);

/** A trigger (its JSON columns already filled with schema defaults) as form values. */
export function toFormValues(trigger: Record<string, unknown>): FormValues {
  const values: FormValues = { ...CONTENT_DEFAULTS };
  for (const [path, kind] of Object.entries(FIELDS)) values[path] = formValue(kind, get(trigger, path), values[path]);
  const perPeriod = get(trigger, "frequencyCap.perPeriod");
  values[PER_PERIOD_ON] = perPeriod !== null && perPeriod !== undefined;
  if (!values[PER_PERIOD_ON]) {
    values["frequencyCap.perPeriod.count"] = "1";
    values["frequencyCap.perPeriod.days"] = "7";
  }
  values[SCHEDULE_ON] = get(trigger, "conditions.schedule") != null;
  if (!values[SCHEDULE_ON]) Object.assign(values, SCHEDULE_DEFAULTS);
  const arms = Array.isArray(trigger.variants) && trigger.variants.length >= 2 ? (trigger.variants as Array<Record<string, unknown>>) : [];
  values[ARM_IDS] = arms.map((a) => String(a.id ?? ""));
  arms.forEach((arm, i) => {
    values[`variants.${i}.weight`] = formValue("int", arm.weight, "");
    if (i === 0) return;
    for (const path of CONTENT_PATHS) values[armPath(i, path)] = formValue(FIELDS[path], get(arm, path), CONTENT_DEFAULTS[path]);
  });
  values[AUTO_PROMOTE] = trigger.autoPromote === true;
  return values;
}

const armKeys = (values: FormValues, arm: number) => Object.keys(values).filter((k) => k.startsWith(`variants.${arm}.`));

/**
 * Adds a variant that starts as a copy of arm `from`'s content (the first test adds B, a copy of
 * A). The split goes back to even. Returns the new values and the new arm's index.
 */
export function addArm(values: FormValues, from: number): { values: FormValues; arm: number } {
  const ids = armIds(values);
  const next: FormValues = { ...values };
  const newIds = ids.length === 0 ? [newArmId(), newArmId()] : [...ids, newArmId()];
  if (newIds.length > MAX_ARMS) return { values, arm: from };
  const arm = newIds.length - 1;
  for (const path of CONTENT_PATHS) {
    const v = values[armPath(from, path)] ?? values[path];
    next[armPath(arm, path)] = Array.isArray(v) ? [...v] : v;
  }
  next[ARM_IDS] = newIds;
  evenSplit(newIds.length).forEach((w, i) => (next[`variants.${i}.weight`] = String(w)));
  return { values: next, arm };
}

/**
 * Removes variant `arm` (B, C or D; A is the trigger's own content): the later arms move up a
 * letter and the split goes back to even. Down to one arm, the test is gone (no variants).
 */
export function removeArm(values: FormValues, arm: number): FormValues {
  const ids = armIds(values);
  if (arm < 1 || arm >= ids.length) return values;
  const next: FormValues = { ...values };
  for (let i = 0; i < ids.length; i++) for (const k of armKeys(values, i)) delete next[k];
  const kept = ids.filter((_, i) => i !== arm);
  if (kept.length < 2) {
    next[ARM_IDS] = [];
    next[AUTO_PROMOTE] = false;
    return next;
  }
  next[ARM_IDS] = kept;
  const weights = evenSplit(kept.length);
  kept.forEach((_, j) => {
    const i = j < arm ? j : j + 1; // the arm's old index
    next[`variants.${j}.weight`] = String(weights[j]);
    if (j > 0) for (const path of CONTENT_PATHS) next[armPath(j, path)] = values[armPath(i, path)];
  });
  return next;
}

/** "" → undefined (the schema default), digits → a number, anything else as typed (the schema names the error). */
function intValue(s: string): unknown {
  const t = s.trim();
  if (t === "") return undefined;
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

function moneyValue(s: string, blank: null | 0): unknown {
  const t = s.trim().replace(/,/g, "");
  if (t === "") return blank;
  return /^\d+(\.\d{1,2})?$/.test(t) ? Math.round(Number(t) * 100) : t;
}

/** Sets one field of the nested input from its form value. */
function put(out: Record<string, unknown>, path: string, type: FieldKind, v: FormValue | undefined) {
  if (type === "bool") set(out, path, v === true);
  else if (type === "list") set(out, path, Array.isArray(v) ? v : []);
  else if (type === "csv")
    set(
      out,
      path,
      String(v ?? "")
        .split(/[\s,]+/)
        .filter(Boolean),
    );
  else if (type === "int") {
    const n = intValue(String(v ?? ""));
    if (n !== undefined) set(out, path, n);
  } else if (type === "money") set(out, path, moneyValue(String(v ?? ""), 0));
  else if (type === "moneyOrNull") set(out, path, moneyValue(String(v ?? ""), null));
  else set(out, path, String(v ?? ""));
}

/** Arm `arm`'s content as the schema takes it: the fields its kind has. */
function contentInput(values: FormValues, arm: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const kind = String(values[armPath(arm, "content.kind")] ?? "");
  const kindFields = new Set((KIND_FIELDS[kind] ?? []).map((f) => `content.${f}`));
  for (const path of CONTENT_PATHS) {
    if (path in CONTENT_DEFAULTS && !kindFields.has(path)) continue;
    put(out, path, FIELDS[path], values[armPath(arm, path)]);
  }
  return (out.content ?? {}) as Record<string, unknown>;
}

/** The nested trigger input the shared schema validates. */
export function buildInput(values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, type] of Object.entries(FIELDS)) {
    if (path.startsWith("frequencyCap.perPeriod.") || path.startsWith("conditions.schedule.") || path.startsWith("content.")) continue;
    put(out, path, type, values[path]);
  }
  out.content = contentInput(values, 0);
  set(
    out,
    "frequencyCap.perPeriod",
    values[PER_PERIOD_ON]
      ? {
          count: intValue(String(values["frequencyCap.perPeriod.count"] ?? "")) ?? "",
          days: intValue(String(values["frequencyCap.perPeriod.days"] ?? "")) ?? "",
        }
      : null,
  );
  if (values[SCHEDULE_ON]) {
    const days = values["conditions.schedule.days"];
    set(out, "conditions.schedule", {
      days: (Array.isArray(days) ? days : []).map((d) => intValue(d) ?? d),
      startHour: intValue(String(values["conditions.schedule.startHour"] ?? "")) ?? "",
      endHour: intValue(String(values["conditions.schedule.endHour"] ?? "")) ?? "",
    });
  }
  const ids = armIds(values);
  out.variants =
    ids.length >= 2
      ? ids.map((id, i) => ({
          id,
          weight: intValue(String(values[`variants.${i}.weight`] ?? "")) ?? "",
          ...(i > 0 ? { content: contentInput(values, i) } : {}),
        }))
      : null;
  out.autoPromote = ids.length >= 2 && values[AUTO_PROMOTE] === true;
  return out;
}

/** Arm `arm`'s overlay content as the storefront would receive it, straight from the form (unvalidated). */
export function previewContent(values: FormValues, arm = 0): CompiledContent {
  const content = contentInput(values, arm);
  for (const k of ["limit", "expiresMinutes", "goalCents"]) if (typeof content[k] !== "number") delete content[k];
  return {
    ...content,
    kind: String(values[armPath(arm, "content.kind")]),
    headline: String(values[armPath(arm, "content.headline")] ?? ""),
  } as CompiledContent;
}
