import { z } from "zod";
import { armListErrors } from "../experiments/variants";
import { conditionsSchema, contentSchema, fieldErrors, frequencyCapSchema, segmentSchema, triggerArmSchema, TRIGGER_ARM_BODY, TRIGGER_TYPES } from "./schema";
import type { Conditions, TriggerType } from "./schema";
import { passiveFrom } from "./evaluate";
import type { CompiledArm, CompiledConfig, CompiledContent, CompiledTrigger } from "./types";

/** The Trigger row as Prisma returns it (Json columns arrive untyped). */
export interface TriggerRow {
  id: string;
  name: string;
  type: string;
  enabled: boolean;
  conditions: unknown;
  segment: unknown;
  content: unknown;
  frequencyCap: unknown;
  holdoutPct: number;
  priority: number;
  salt: string;
  /** the A/B test's arms (Trigger.variants): null or absent when none runs */
  variants?: unknown;
}

export interface ConfigSettings {
  /** global cap: overlays (shown or held out) per session */
  overlaysPerSession: number;
  /** hours after a recovery email brought the shopper during which overlays stay away (0 = off) */
  channelGapHours?: number;
}

export type SkipNotice = { id: string; reason: "invalid"; errors: Record<string, string> } | { id: string; reason: "too_large" };

export const CONFIG_VERSION = 1;
/** App-data metafields of type json hold up to 64 KB; stay clear of it. */
export const CONFIG_MAX_BYTES = 56 * 1024;

const defaults = {
  c: conditionsSchema.parse({}),
  s: segmentSchema.parse({}),
  f: frequencyCapSchema.parse({}),
};

/** Drops keys whose value equals the default (deep for plain objects), so the JSON stays small. */
function withoutDefaults<T extends object>(value: T, base: object): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const d = (base as Record<string, unknown>)[key];
    if (v && d && typeof v === "object" && typeof d === "object" && !Array.isArray(v)) {
      const inner = withoutDefaults(v, d);
      if (Object.keys(inner).length > 0) out[key] = inner;
    } else if (JSON.stringify(v) !== JSON.stringify(d)) out[key] = v;
  }
  return out as Partial<T>;
}

/** Conditions without their defaults; the schedule (when set) as `sc` with short keys. */
function compactConditions(conditions: Conditions): CompiledTrigger["c"] {
  const { schedule, ...rest } = conditions;
  const c: CompiledTrigger["c"] = withoutDefaults(rest, defaults.c);
  if (schedule) c.sc = { d: [...schedule.days].sort((a, b) => a - b), s: schedule.startHour, e: schedule.endHour };
  return c;
}

function compactContent(content: Record<string, unknown>): CompiledContent {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(content)) {
    // left out where the storefront's default is the same: no text, the theme's layout, no
    // countdown or progress goal, add-to-cart on
    if (v === "" || (key === "layout" && v === "default") || (v === 0 && key !== "limit") || (key === "addToCart" && v === true)) continue;
    out[key] = v;
  }
  return out as CompiledContent;
}

const armsSchema = z.array(triggerArmSchema, { error: "Variants must be a list" }).nullable();

/**
 * The row's A/B arms in their storefront form (`v`): none unless 2 or more; arm A without content
 * (it shows the trigger's own). Errors are keyed like the form's ("variants.1.content.headline").
 */
function compileArms(stored: unknown, errors: Record<string, string>): CompiledArm[] | undefined {
  const r = armsSchema.safeParse(stored ?? null);
  if (!r.success) {
    for (const [k, m] of Object.entries(fieldErrors(r.error))) errors[k ? `variants.${k}` : "variants"] = m;
    return undefined;
  }
  const arms = r.data;
  if (!arms || arms.length < 2) return undefined;
  for (const [k, m] of Object.entries(armListErrors(arms, TRIGGER_ARM_BODY))) errors[k ? `variants.${k}` : "variants"] = m;
  return arms.map((a, i) => (i > 0 && a.content ? { k: a.id, w: a.weight, o: compactContent(a.content) } : { k: a.id, w: a.weight }));
}

/** One row to its storefront form, or the field errors that keep it out. */
export function compileTrigger(row: TriggerRow): { ok: true; trigger: CompiledTrigger } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const parts = {
    conditions: conditionsSchema.safeParse(row.conditions ?? {}),
    segment: segmentSchema.safeParse(row.segment ?? {}),
    content: contentSchema.safeParse(row.content),
    frequencyCap: frequencyCapSchema.safeParse(row.frequencyCap ?? {}),
  };
  for (const [name, r] of Object.entries(parts)) {
    if (!r.success) for (const [k, m] of Object.entries(fieldErrors(r.error))) errors[k ? `${name}.${k}` : name] = m;
  }
  if (!(TRIGGER_TYPES as readonly string[]).includes(row.type)) errors.type = `Unknown trigger type "${row.type}"`;
  const arms = compileArms(row.variants, errors);
  if (Object.keys(errors).length || !parts.conditions.success || !parts.segment.success || !parts.content.success || !parts.frequencyCap.success) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    trigger: {
      id: row.id,
      ty: row.type as TriggerType,
      pr: row.priority,
      ho: Math.max(0, Math.min(50, Math.round(row.holdoutPct))),
      sa: row.salt,
      c: compactConditions(parts.conditions.data),
      s: withoutDefaults(parts.segment.data, defaults.s),
      f: withoutDefaults(parts.frequencyCap.data, defaults.f),
      o: compactContent(parts.content.data),
      ...(arms ? { v: arms } : {}),
    },
  };
}

/**
 * The JSON the storefront reads from the app-data metafield: enabled, valid triggers only,
 * highest priority first (ties: older id first, so the order is stable). Rows that do not
 * validate, or that would push the JSON past CONFIG_MAX_BYTES (lowest priority first), are
 * left out and reported through `onSkip`.
 */
export function compileConfig(triggers: TriggerRow[], settings: ConfigSettings, onSkip?: (notice: SkipNotice) => void): CompiledConfig {
  const compiled: CompiledTrigger[] = [];
  for (const row of triggers) {
    if (!row.enabled) continue;
    const r = compileTrigger(row);
    if (r.ok) compiled.push(r.trigger);
    else onSkip?.({ id: row.id, reason: "invalid", errors: r.errors });
  }
  compiled.sort((a, b) => b.pr - a.pr || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const config: CompiledConfig = {
    v: CONFIG_VERSION,
    g: {
      ps: Math.max(0, Math.floor(settings.overlaysPerSession)),
      ...(settings.channelGapHours ? { cg: Math.max(0, Math.floor(settings.channelGapHours)) } : {}),
      pf: -1,
    },
    t: compiled,
  };
  while (config.t.length > 0 && configBytes(withPassiveFrom(config)) > CONFIG_MAX_BYTES) {
    const dropped = config.t.pop()!;
    onSkip?.({ id: dropped.id, reason: "too_large" });
  }
  return withPassiveFrom(config);
}

/** Sets `g.pf` for the triggers the config holds (seconds; -1: no trigger takes passive signals). */
function withPassiveFrom(config: CompiledConfig): CompiledConfig {
  const ms = passiveFrom(config);
  config.g.pf = ms === Infinity ? -1 : ms / 1000;
  return config;
}

/** UTF-8 size of the JSON as stored in the metafield. */
export function configBytes(config: CompiledConfig): number {
  return new TextEncoder().encode(JSON.stringify(config)).length;
}
