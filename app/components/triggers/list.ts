import type { LiftDisplay } from "~/components/format";

/** One trigger as the triggers list shows it (app.triggers._index). */
export interface TriggerListItem {
  id: string;
  name: string;
  type: string;
  /** The content kind it shows ("" when unknown). */
  kind: string;
  enabled: boolean;
  holdoutPct: number;
  /** arms of a running A/B test (0: none) */
  variants: number;
  impressions: number;
  controls: number;
  lift: LiftDisplay;
}

/** The triggers list's action answers (toggle, delete). */
export type TriggerListActionData = {
  ok: boolean;
  error?: string;
  intent?: string;
  id?: string;
  enabled?: boolean;
  publish?: { ok: boolean; error?: string; skipped?: string[] };
};
