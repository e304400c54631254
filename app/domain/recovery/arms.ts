import { pickArm } from "../experiments/assign";
import { armsOf } from "../experiments/variants";

/**
 * A/B arms of a flow step (issue 21), as the recovery engine uses them: which arm a run gets
 * when its step is scheduled, and what that arm's email is. Pure: the engine reads and writes
 * the rows (app/services/recovery.server.ts).
 *
 * The unit of a flow-step test is the run (its subjectKey), the salt the step's id: the same
 * checkout (cart, browse session) always lands in the same arm of a step, and two steps of one
 * flow split independently. Holdout runs are never in an arm.
 */

/** What an arm decides: the delay (from the run's start) and the email. */
export interface StepContent {
  delayMinutes: number;
  subject: string;
  preheader: string | null;
  body: unknown;
  discountPercent: number | null;
  discountExpiryDays: number | null;
}

interface StoredArm {
  id: string;
  weight: number;
  step?: {
    delayMinutes: number;
    subject: string;
    preheader?: string | null;
    body: unknown;
    discountPercent?: number | null;
    discountExpiryDays?: number | null;
  };
}

export type StepWithArms = StepContent & { id: string; variants?: unknown };

/** The step's running test's arms (2..4), or null when none runs. */
export const stepArms = (step: { variants?: unknown }): StoredArm[] | null => armsOf<StoredArm>(step.variants ?? null);

/**
 * The arm a run gets for a step, decided when the step is scheduled: null when the step runs no
 * test or the run is held out; else the arm's id and its delay (arm A's is the step's own).
 */
export function assignStepArm(step: StepWithArms, run: { subjectKey: string; holdout: boolean }): { arm: string; index: number; delayMinutes: number } | null {
  const arms = stepArms(step);
  if (!arms || run.holdout) return null;
  const index = pickArm(
    step.id,
    run.subjectKey,
    arms.map((a) => a.weight),
  );
  return { arm: arms[index].id, index, delayMinutes: stepArmContent(step, arms[index].id)?.delayMinutes ?? step.delayMinutes };
}

/**
 * The email (and delay) of one arm of a step: the step's own fields for arm A, for no arm (null)
 * and when the step runs no test; the arm's own copy for B, C, D. Null when the step's test has
 * no arm with that id (the merchant removed it, or promoted another since).
 */
export function stepArmContent(step: StepWithArms, armId: string | null | undefined): StepContent | null {
  const own: StepContent = {
    delayMinutes: step.delayMinutes,
    subject: step.subject,
    preheader: step.preheader,
    body: step.body,
    discountPercent: step.discountPercent,
    discountExpiryDays: step.discountExpiryDays,
  };
  if (!armId) return own;
  const arms = stepArms(step);
  const index = arms ? arms.findIndex((a) => a.id === armId) : -1;
  if (!arms || index < 0) return null;
  const arm = arms[index].step;
  if (index === 0 || !arm) return own;
  return {
    delayMinutes: arm.delayMinutes,
    subject: arm.subject,
    preheader: arm.preheader ?? "",
    body: arm.body,
    discountPercent: arm.discountPercent ?? null,
    discountExpiryDays: arm.discountExpiryDays ?? null,
  };
}
