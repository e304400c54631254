import { Prisma } from "@prisma/client";
import { jsonNull, type Db } from "~/db.server";
import { armLabel, armsOf, type ArmBase } from "~/domain/experiments/variants";
import { stepDelays } from "~/domain/recovery/schema";
import { stepArmTest, triggerArmTest, type ArmTest } from "./analytics.server";
import { enqueue } from "./jobs.server";

/**
 * Ending an A/B test by promoting one arm (issue 21), by the merchant (analytics page) or by the
 * auto-promote sweep. In one transaction: the winner's content becomes the row's own, `variants`
 * and `testStartedAt` go null, `autoPromote` false, and an `ExperimentRecord` keeps the arms as
 * they ran and their figures at the end. The holdout is left as it is.
 *
 * Every look-up is scoped to the shop: another shop's id behaves like a missing one (404).
 * After promoting a trigger the storefront config must be republished: the admin route calls
 * `publishRules` with its session; the worker's sweep enqueues a "publish-rules" job (the worker
 * publishes with the shop's offline session, as every background publish does).
 */

export type PromoteHow = "manual" | "auto";

export type PromoteResult =
  { ok: true; recordId: string; label: string; kind: "trigger" | "step"; shop: string } | { ok: false; status: 400 | 404 | 409; reason: string };

interface PromoteOptions {
  how: PromoteHow;
  now?: Date;
  /** figures already computed (the sweep has them); read afresh otherwise */
  test?: ArmTest | null;
}

const HOW = new Set<PromoteHow>(["manual", "auto"]);

/** Arm figures as kept in the record's summary. */
function summaryOf(test: ArmTest | null, winnerId: string) {
  if (!test) return null;
  const winner = test.arms.find((a) => a.id === winnerId);
  const vsA = winner?.conversion;
  return {
    verdict: test.verdict.text,
    verdictKind: test.verdict.kind,
    winnerVsA: vsA ? { relativeLift: vsA.relativeLift, relativeCi: vsA.relativeCi, significant: vsA.significant } : null,
    holdoutPct: test.holdoutPct,
    holdoutUsers: test.holdoutUsers,
    excludedUsers: test.excludedUsers,
    srm: { pValue: test.srm.pValue, mismatch: test.srm.mismatch },
    pairwiseWinner: test.pairwiseWinner,
    arms: test.arms.map((a) => ({
      id: a.id,
      label: a.label,
      weight: a.weight,
      users: a.users,
      conversions: a.conversions,
      orders: a.orders,
      conversionRate: a.conversionRate,
      revenueCents: a.revenueCents,
      revenuePerUserCents: a.revenuePerUserCents,
      ...(a.conversion
        ? {
            conversionVsA: {
              relativeLift: a.conversion.relativeLift,
              relativeCi: a.conversion.relativeCi,
              pValue: a.conversion.pValue,
              significant: a.conversion.significant,
            },
          }
        : {}),
      ...(a.revenue
        ? { revenueVsA: { absoluteLift: a.revenue.absoluteLift, ci: a.revenue.ci, pValue: a.revenue.pValue, significant: a.revenue.significant } }
        : {}),
    })),
  };
}

/** The arms as they ran: each with its label, and arm A's content copied in (it was the row's own). */
const armsAsRan = <A extends ArmBase>(arms: A[], ownContent: Record<string, unknown>) =>
  arms.map((a, i) => ({ ...a, label: armLabel(i), ...(i === 0 ? ownContent : {}) })) as unknown as Prisma.InputJsonValue;

const badInput = (armId: unknown, how: PromoteHow): PromoteResult | null => {
  if (typeof armId !== "string" || armId.length === 0 || armId.length > 40) return { ok: false, status: 400, reason: "Choose the variant to promote" };
  return HOW.has(how) ? null : { ok: false, status: 400, reason: "Unknown way to promote" };
};

/**
 * The running test's arms and the index of the one to promote, or why not (409: no test runs;
 * 404: the arm is not in it). `what` names the row: "trigger", "email".
 */
function armToPromote<A extends ArmBase>(
  row: { variants: unknown; testStartedAt: Date | null },
  armId: string,
  what: string,
): { ok: true; arms: A[]; index: number; startedAt: Date } | { ok: false; status: 404 | 409; reason: string } {
  const arms = armsOf<A>(row.variants);
  if (!arms || !row.testStartedAt) return { ok: false, status: 409, reason: `This ${what} runs no A/B test (it may have ended already)` };
  const index = arms.findIndex((a) => a.id === armId);
  if (index < 0) return { ok: false, status: 404, reason: `That variant is not part of this ${what}'s test` };
  return { ok: true, arms, index, startedAt: row.testStartedAt };
}

export async function promoteTriggerArm(db: Db, shop: string, triggerId: string, armId: string, options: PromoteOptions): Promise<PromoteResult> {
  const bad = badInput(armId, options.how);
  if (bad) return bad;
  const now = options.now ?? new Date();
  const current = await db.trigger.findFirst({ where: { shop, id: triggerId }, select: { variants: true, testStartedAt: true } });
  if (!current) return { ok: false, status: 404, reason: "Trigger not found" };
  const found = armToPromote<ArmBase & { content?: unknown }>(current, armId, "trigger");
  if (!found.ok) return found;
  const { arms, index, startedAt } = found;
  const test = options.test !== undefined ? options.test : await triggerArmTest(db, shop, triggerId, { to: now, sequential: true });

  return db.$transaction(async (tx) => {
    const row = await tx.trigger.findFirst({ where: { shop, id: triggerId }, select: { content: true, variants: true, testStartedAt: true } });
    if (!row || row.testStartedAt?.getTime() !== startedAt.getTime() || JSON.stringify(row.variants) !== JSON.stringify(current.variants)) {
      return { ok: false, status: 409, reason: "The test changed while promoting (edited or ended elsewhere); reload and try again" } as const;
    }
    const content = index === 0 ? row.content : arms[index].content;
    if (content == null) return { ok: false, status: 409, reason: `Variant ${armLabel(index)} has no content to promote` } as const;
    const { count } = await tx.trigger.updateMany({
      where: { shop, id: triggerId, testStartedAt: startedAt },
      data: { content: content as Prisma.InputJsonValue, variants: jsonNull(tx), testStartedAt: null, autoPromote: false },
    });
    if (count !== 1) return { ok: false, status: 409, reason: "The test changed while promoting; reload and try again" } as const;
    const record = await tx.experimentRecord.create({
      data: {
        shop,
        triggerId,
        startedAt,
        endedAt: now,
        winner: armId,
        how: options.how,
        arms: armsAsRan(arms, { content: row.content }),
        summary: (summaryOf(test, armId) ?? jsonNull(tx)) as Prisma.InputJsonValue,
      },
      select: { id: true },
    });
    return { ok: true, recordId: record.id, label: armLabel(index), kind: "trigger", shop } as const;
  });
}

type StepArmContent = {
  delayMinutes: number;
  subject: string;
  preheader?: string;
  body: unknown;
  discountPercent?: number | null;
  discountExpiryDays?: number | null;
};

/** The flow's emails as the promote transaction reads them, in order. */
const FLOW_STEP_SELECT = {
  id: true,
  position: true,
  delayMinutes: true,
  variants: true,
  testStartedAt: true,
  subject: true,
  preheader: true,
  body: true,
  discountPercent: true,
  discountExpiryDays: true,
} satisfies Prisma.RecoveryStepSelect;
type FlowStep = Prisma.RecoveryStepGetPayload<{ select: typeof FLOW_STEP_SELECT }>;

/** The email's own content (arm A's), as kept in the record's arms. */
const ownStep = (row: FlowStep) => ({
  delayMinutes: row.delayMinutes,
  subject: row.subject,
  preheader: row.preheader,
  body: row.body,
  discountPercent: row.discountPercent,
  discountExpiryDays: row.discountExpiryDays,
});

const delaysOf = (s: FlowStep | undefined) =>
  s ? stepDelays({ delayMinutes: s.delayMinutes, variants: armsOf<ArmBase & { step?: { delayMinutes: number } }>(s.variants) }) : [];

/**
 * The flow's order must hold with the winner's delay alone: after every delay the previous email
 * (steps[i - 1]) may use, before every delay the next (steps[i + 1]) may use. The refusal, or null.
 */
function delayOrderError(steps: FlowStep[], i: number, index: number, delayMinutes: number): PromoteResult | null {
  const before = delaysOf(steps[i - 1]);
  const after = delaysOf(steps[i + 1]);
  if (before.length && delayMinutes <= Math.max(...before)) {
    return {
      ok: false,
      status: 409,
      reason: `Variant ${armLabel(index)} waits ${delayMinutes} minutes, not after email ${i} (${Math.max(...before)} minutes): change its delay first`,
    };
  }
  if (after.length && delayMinutes >= Math.min(...after)) {
    return {
      ok: false,
      status: 409,
      reason: `Variant ${armLabel(index)} waits ${delayMinutes} minutes, not before email ${i + 2} (${Math.min(...after)} minutes): change its delay first`,
    };
  }
  return null;
}

/** The winner's email becomes the step's own; the test's columns are cleared. */
const promotedStepData = (tx: Prisma.TransactionClient, winner: StepArmContent) => ({
  delayMinutes: winner.delayMinutes,
  subject: winner.subject,
  preheader: winner.preheader ?? "",
  body: winner.body as Prisma.InputJsonValue,
  discountPercent: winner.discountPercent ?? null,
  discountExpiryDays: winner.discountExpiryDays ?? null,
  variants: jsonNull(tx),
  testStartedAt: null,
  autoPromote: false,
});

export async function promoteStepArm(db: Db, shop: string, stepId: string, armId: string, options: PromoteOptions): Promise<PromoteResult> {
  const bad = badInput(armId, options.how);
  if (bad) return bad;
  const now = options.now ?? new Date();
  const current = await db.recoveryStep.findFirst({ where: { id: stepId, flow: { shop } }, select: { variants: true, testStartedAt: true, flowId: true } });
  if (!current) return { ok: false, status: 404, reason: "Email not found" };
  const found = armToPromote<ArmBase & { step?: StepArmContent }>(current, armId, "email");
  if (!found.ok) return found;
  const { arms, index, startedAt } = found;
  const test = options.test !== undefined ? options.test : await stepArmTest(db, shop, stepId, { to: now, sequential: true });

  return db.$transaction(async (tx): Promise<PromoteResult> => {
    const steps = await tx.recoveryStep.findMany({ where: { flowId: current.flowId, flow: { shop } }, orderBy: { position: "asc" }, select: FLOW_STEP_SELECT });
    const i = steps.findIndex((s) => s.id === stepId);
    const row = steps[i];
    if (!row || row.testStartedAt?.getTime() !== startedAt.getTime() || JSON.stringify(row.variants) !== JSON.stringify(current.variants)) {
      return { ok: false, status: 409, reason: "The test changed while promoting (edited or ended elsewhere); reload and try again" };
    }
    const own = ownStep(row);
    const winner = index === 0 ? own : arms[index].step;
    if (!winner) return { ok: false, status: 409, reason: `Variant ${armLabel(index)} has no email to promote` };
    const outOfOrder = delayOrderError(steps, i, index, winner.delayMinutes);
    if (outOfOrder) return outOfOrder;
    const { count } = await tx.recoveryStep.updateMany({
      where: { id: stepId, testStartedAt: startedAt, flow: { shop } },
      data: promotedStepData(tx, winner),
    });
    if (count !== 1) return { ok: false, status: 409, reason: "The test changed while promoting; reload and try again" };
    const record = await tx.experimentRecord.create({
      data: {
        shop,
        flowId: current.flowId,
        stepId,
        startedAt,
        endedAt: now,
        winner: armId,
        how: options.how,
        arms: armsAsRan(arms, { step: own }),
        summary: (summaryOf(test, armId) ?? jsonNull(tx)) as Prisma.InputJsonValue,
      },
      select: { id: true },
    });
    return { ok: true, recordId: record.id, label: armLabel(index), kind: "step", shop };
  });
}

export interface SweepResult {
  checked: number;
  promoted: Array<{ shop: string; kind: "trigger" | "step"; id: string; armId: string; label: string }>;
}

/**
 * Auto-promote: every trigger and flow step with `autoPromote` on and a running test, in every
 * shop; an arm whose always-valid interval against every other arm excludes zero in its favour
 * (Bonferroni over all pairs; never with a sample-ratio mismatch) is promoted. A promoted trigger's
 * shop gets a "publish-rules" job, which the worker runs with the shop's offline session.
 */
export async function sweepAutoPromote(db: Db, now: Date = new Date()): Promise<SweepResult> {
  const [triggers, steps] = await Promise.all([
    db.trigger.findMany({ where: { autoPromote: true, testStartedAt: { not: null } }, select: { id: true, shop: true } }),
    db.recoveryStep.findMany({ where: { autoPromote: true, testStartedAt: { not: null } }, select: { id: true, flow: { select: { shop: true } } } }),
  ]);
  const result: SweepResult = { checked: 0, promoted: [] };
  const republish = new Set<string>();
  for (const t of triggers) {
    const test = await triggerArmTest(db, t.shop, t.id, { to: now, sequential: true });
    result.checked++;
    if (!test?.pairwiseWinner) continue;
    const r = await promoteTriggerArm(db, t.shop, t.id, test.pairwiseWinner, { how: "auto", now, test });
    if (r.ok) {
      result.promoted.push({ shop: t.shop, kind: "trigger", id: t.id, armId: test.pairwiseWinner, label: r.label });
      republish.add(t.shop);
    }
  }
  for (const s of steps) {
    const test = await stepArmTest(db, s.flow.shop, s.id, { to: now, sequential: true });
    result.checked++;
    if (!test?.pairwiseWinner) continue;
    const r = await promoteStepArm(db, s.flow.shop, s.id, test.pairwiseWinner, { how: "auto", now, test });
    if (r.ok) result.promoted.push({ shop: s.flow.shop, kind: "step", id: s.id, armId: test.pairwiseWinner, label: r.label });
  }
  for (const shop of republish) {
    await enqueue(db, { kind: "publish-rules", shop, payload: { shop }, runAt: now, dedupeKey: `publish-rules:${shop}:auto-promote:${now.toISOString()}` });
  }
  return result;
}

/** How often the sweep runs, and its dedupe key for the slot containing `at`. */
export const AUTO_PROMOTE_EVERY_MS = 3_600_000;
export const autoPromoteKey = (at: Date) => `auto-promote:${new Date(Math.floor(at.getTime() / AUTO_PROMOTE_EVERY_MS) * AUTO_PROMOTE_EVERY_MS).toISOString()}`;
