/** A stored step, as far as planning needs it. */
export interface PlannableStep {
  id: string;
  position: number;
  delayMinutes: number;
}

export interface PlannedStep {
  stepId: string;
  position: number;
  runAt: Date;
}

/**
 * When each step of a flow is due for a run that started at `startedAt`. Delays count from
 * the start, so a step edited later does not shift the others. Ordered by position.
 */
export function planSteps(flow: { steps: ReadonlyArray<PlannableStep> }, startedAt: Date): PlannedStep[] {
  return [...flow.steps]
    .sort((a, b) => a.position - b.position)
    .map((s) => ({
      stepId: s.id,
      position: s.position,
      runAt: new Date(startedAt.getTime() + s.delayMinutes * 60_000),
    }));
}
