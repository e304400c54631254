import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildInput, toFormValues } from "~/components/trigger-form";
import { compileConfig, compileTrigger, type TriggerRow } from "~/domain/triggers/compile";
import { evaluate, explain, isMarketing } from "~/domain/triggers/evaluate";
import { parseTriggerInput, triggerInputSchema, type TriggerInput } from "~/domain/triggers/schema";
import type { Signal, VisitorState } from "~/domain/triggers/types";
import { anyJsonText, FUZZ_SEED, fuzzParams, hostileString, signalArb, TRIGGER_BREAKS, validTriggerArb, visitorStateArb } from "./arbitraries";

/**
 * The trigger rule schema and what consumes its output, under 30 000 generated inputs:
 * - for any input at all, parsing returns data or field errors and never throws;
 * - everything it accepts is storable (no lone surrogates, no NUL: Prisma and PostgreSQL refuse
 *   them), compiles for the storefront, and evaluates without throwing, consistently with explain();
 * - every rule built from the documented ranges parses (no valid rule is refused), and stays
 *   the same through JSON (as stored) and through the admin form's values;
 * - each documented violation is refused under the field key the form shows it on.
 */

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const NOW_RANGE = { min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 0, 1) };

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") Object.entries(value).forEach(([k, v]) => (out.push(k), strings(v, out)));
  return out;
}

const asRow = (data: TriggerInput, id = "t1"): TriggerRow => ({ id, salt: `salt-${id}`, ...JSON.parse(JSON.stringify(data)), enabled: true });

/** What compile and evaluate must do with anything the schema accepted. */
function compilesAndEvaluates(data: TriggerInput, state: VisitorState, signal: Signal, now: number, overlaysPerSession: number) {
  for (const s of strings(data)) {
    expect(LONE_SURROGATE.test(s), `lone surrogate in ${JSON.stringify(s)}`).toBe(false);
    expect(s.includes("\u0000"), `NUL in ${JSON.stringify(s)}`).toBe(false);
  }
  const compiled = compileTrigger(asRow(data));
  expect(compiled.ok ? "ok" : JSON.stringify(compiled.errors)).toBe("ok");
  const config = compileConfig([asRow(data)], { overlaysPerSession });
  expect(config.t.map((t) => t.id)).toEqual(["t1"]);
  // The metafield holds JSON: what the storefront reads back must be what was compiled.
  expect(JSON.parse(JSON.stringify(config))).toEqual(config);

  const decision = evaluate(config, state, signal, now);
  const explained = explain(config, state, signal, now);
  expect(explained).toHaveLength(1);
  expect(explained[0].result === "fire").toBe(decision !== null);
  if (decision) {
    const t = decision.trigger;
    expect(["treatment", "control"]).toContain(decision.variant);
    if (t.ho === 0) expect(decision.variant).toBe("treatment");
    // A decision honours the rule it came from.
    expect(state.caps.page).toBe(0);
    expect(state.caps.session).toBeLessThan(config.g.ps);
    if (data.conditions.pageTypes.length) expect(data.conditions.pageTypes).toContain(state.pageType);
    if (data.segment.devices.length) expect(data.segment.devices).toContain(state.device);
    if (data.segment.countries.length) expect(data.segment.countries).toContain(state.country);
    expect(state.cartCents).toBeGreaterThanOrEqual(data.segment.minCartCents);
    expect(state.customer.aovCents).toBeGreaterThanOrEqual(data.segment.minAovCents);
    if (data.conditions.maxCartCents !== null) expect(state.cartCents).toBeLessThan(data.conditions.maxCartCents);
    expect(state.msOnPage).toBeGreaterThanOrEqual(data.conditions.minSeconds * 1000);
    if (isMarketing(t)) expect(state.consent.marketing).toBe(true);
    if (data.type === "cart_change") expect(signal.kind).toBe("cart");
  }
}

function setPath(target: Record<string, any>, path: string, value: unknown) {
  const keys = path.split(".");
  let o = target;
  for (const k of keys.slice(0, -1)) {
    if (!o[k] || typeof o[k] !== "object") o[k] = {};
    o = o[k];
  }
  if (value === undefined) delete o[keys[keys.length - 1]];
  else o[keys[keys.length - 1]] = value;
}

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({
    maxDepth: 3,
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withObjectString: true,
    withTypedArray: true,
    withSparseArray: true,
    withBoxedValues: true,
  }),
  anyJsonText.map((s) => JSON.parse(s) as unknown),
  hostileString,
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 2 ** 53, 1e21, null, undefined, [], {}),
);

/** A valid trigger with one field (or a whole section) replaced by anything at all. */
const nearlyValid = fc
  .tuple(
    validTriggerArb,
    fc.constantFrom(
      "name",
      "type",
      "enabled",
      "holdoutPct",
      "priority",
      "content",
      "content.kind",
      "content.headline",
      "content.code",
      "content.url",
      "content.limit",
      "conditions",
      "conditions.pageTypes",
      "conditions.maxCartCents",
      "conditions.idleSec",
      "conditions.minCartItems",
      "conditions.exit",
      "conditions.schedule",
      "conditions.schedule.days",
      "segment",
      "segment.minCartCents",
      "segment.minAovCents",
      "segment.countries",
      "frequencyCap",
      "frequencyCap.perPeriod",
    ),
    hostileValue,
  )
  .map(([t, path, v]) => {
    const copy = structuredClone(t);
    setPath(copy, path, v);
    return copy as unknown;
  });

const context = fc.record({ signal: signalArb, now: fc.integer(NOW_RANGE), overlaysPerSession: fc.integer({ min: 0, max: 5 }) });

// 10,000 runs each: 10–40 s on a slow 2-core machine (the suite's 30 s default failed CI once),
// the same allowance as the other fuzz files.
const FUZZ_TIMEOUT_MS = 300_000;

describe(`trigger rules fuzz (seed ${FUZZ_SEED})`, () => {
  it(
    "never throws on arbitrary input, and whatever it accepts compiles and evaluates",
    () => {
      let accepted = 0;
      fc.assert(
        fc.property(
          fc.oneof({ weight: 2, arbitrary: hostileValue }, { weight: 3, arbitrary: nearlyValid }),
          visitorStateArb(["t1"]),
          context,
          (input, state, ctx) => {
            const result = parseTriggerInput(input);
            if (result.valid) {
              accepted++;
              compilesAndEvaluates(result.data, state, ctx.signal, ctx.now, ctx.overlaysPerSession);
            } else {
              const entries = Object.entries(result.errors);
              expect(entries.length).toBeGreaterThan(0);
              for (const [, message] of entries) expect(typeof message === "string" && message.length > 0).toBe(true);
            }
            // A stored row whose JSON columns hold anything (old data, hand edits) never breaks publishing.
            const parts = (input && typeof input === "object" ? input : {}) as Record<string, unknown>;
            const row = {
              id: "r",
              salt: "s",
              name: "n",
              type: typeof parts.type === "string" ? parts.type : "not-a-type",
              enabled: true,
              conditions: parts.conditions,
              segment: parts.segment,
              content: parts.content,
              frequencyCap: parts.frequencyCap,
              holdoutPct: 10,
              priority: 0,
            };
            const compiled = compileTrigger(row);
            expect(compiled.ok || Object.keys(compiled.errors).length > 0).toBe(true);
            const config = compileConfig([row], { overlaysPerSession: ctx.overlaysPerSession });
            expect(() => evaluate(config, state, ctx.signal, ctx.now)).not.toThrow();
          },
        ),
        fuzzParams(10_000, 21),
      );
      // The mix must exercise the accepting branch too, or the second half of the property is vacuous.
      expect(accepted).toBeGreaterThan(100);
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "accepts every rule built from the documented ranges, unchanged through JSON and the admin form",
    () => {
      fc.assert(
        fc.property(validTriggerArb, visitorStateArb(["t1"]), context, (input, state, ctx) => {
          const result = parseTriggerInput(input);
          expect(result.valid ? "valid" : JSON.stringify(result.errors)).toBe("valid");
          if (!result.valid) return;
          const data = result.data;
          // What it kept of what was sent.
          // Text is kept as typed (trimmed); only characters that cannot be stored become U+FFFD.
          expect(data.name).toBe(String(input.name).trim().replace(new RegExp(LONE_SURROGATE.source, "g"), "\ufffd").replaceAll("\u0000", "\ufffd"));
          expect(data.type).toBe(input.type);
          expect(data.content.kind).toBe(input.content.kind);
          // Stored as JSON and parsed again (publish re-validates the stored columns): the same rule.
          const again = triggerInputSchema.safeParse(JSON.parse(JSON.stringify(data)));
          expect(again.success && again.data).toEqual(data);
          // The admin editor shows the rule as form values and sends them back: the same rule.
          const viaForm = parseTriggerInput(buildInput(toFormValues(data as unknown as Record<string, unknown>)));
          expect(viaForm.valid ? viaForm.data : viaForm.errors).toEqual(data);
          compilesAndEvaluates(data, state, ctx.signal, ctx.now, ctx.overlaysPerSession);
        }),
        fuzzParams(10_000, 22),
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    "refuses each documented violation under the field it belongs to",
    () => {
      fc.assert(
        fc.property(validTriggerArb, fc.constantFrom(...TRIGGER_BREAKS), (input, [path, value, key]) => {
          const broken = structuredClone(input);
          setPath(broken, path, value);
          const result = parseTriggerInput(broken);
          expect(result.valid, `${path} = ${String(value)}`).toBe(false);
          if (!result.valid) expect(Object.keys(result.errors)).toContain(key);
        }),
        fuzzParams(10_000, 23),
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
