import type { CompiledContent } from "~/domain/triggers/types";

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

/** A trigger (its JSON columns already filled with schema defaults) as form values. */
export function toFormValues(trigger: Record<string, unknown>): FormValues {
  const values: FormValues = { ...CONTENT_DEFAULTS };
  for (const [path, kind] of Object.entries(FIELDS)) {
    const v = get(trigger, path);
    if (kind === "bool") values[path] = v === true;
    else if (kind === "list") values[path] = Array.isArray(v) ? v.map(String) : [];
    else if (kind === "csv") values[path] = Array.isArray(v) ? v.join(", ") : "";
    else if (kind === "money") values[path] = typeof v === "number" && v > 0 ? centsToText(v) : "";
    else if (kind === "moneyOrNull") values[path] = centsToText(v);
    else if (v !== undefined && v !== null) values[path] = String(v);
    else if (!(path in values)) values[path] = "";
  }
  const perPeriod = get(trigger, "frequencyCap.perPeriod");
  values[PER_PERIOD_ON] = perPeriod !== null && perPeriod !== undefined;
  if (!values[PER_PERIOD_ON]) {
    values["frequencyCap.perPeriod.count"] = "1";
    values["frequencyCap.perPeriod.days"] = "7";
  }
  values[SCHEDULE_ON] = get(trigger, "conditions.schedule") != null;
  if (!values[SCHEDULE_ON]) Object.assign(values, SCHEDULE_DEFAULTS);
  return values;
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

/** The nested trigger input the shared schema validates. */
export function buildInput(values: FormValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const kind = String(values["content.kind"] ?? "");
  const kindFields = new Set((KIND_FIELDS[kind] ?? []).map((f) => `content.${f}`));
  for (const [path, type] of Object.entries(FIELDS)) {
    if (path.startsWith("frequencyCap.perPeriod.") || path.startsWith("conditions.schedule.")) continue;
    if (path.startsWith("content.") && path in CONTENT_DEFAULTS && !kindFields.has(path)) continue;
    const v = values[path];
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
  return out;
}

/** The overlay content as the storefront would receive it, straight from the form (unvalidated). */
export function previewContent(values: FormValues): CompiledContent {
  const content = (buildInput(values).content ?? {}) as Record<string, unknown>;
  for (const k of ["limit", "expiresMinutes", "goalCents"]) if (typeof content[k] !== "number") delete content[k];
  return { ...content, kind: String(values["content.kind"]), headline: String(values["content.headline"] ?? "") } as CompiledContent;
}
