import type { Audience, Block, BlockType, DeliveryChannel, FlowInput, FlowInputDraft, FlowKind } from "~/domain/recovery/schema";
import { evenSplit, MAX_ARMS, newArmId } from "~/domain/experiments/variants";

/**
 * The editor's state: what the merchant typed, as typed (numbers stay strings until save), so a
 * half-typed value is never silently rounded. `toFlowDraftInput` turns it into what
 * `flowInputSchema` validates on the server; the field errors it returns use the schema's paths.
 */
export type DelayUnit = "minutes" | "hours" | "days";

export interface BlockDraft {
  key: string;
  type: BlockType;
  text: string;
}

export interface StepDraft {
  key: string;
  delayValue: string;
  delayUnit: DelayUnit;
  subject: string;
  preheader: string;
  body: BlockDraft[];
  discountOn: boolean;
  discountPercent: string;
  discountExpiryDays: string;
  /**
   * The step's A/B test (issue 21): [] when none runs, else 2..4 arms. Arm A is this step's own
   * fields (its `email` is null); B, C, D carry their own email (delay, subject, preview text,
   * blocks, discount) as a step draft without arms.
   */
  arms: ArmDraft[];
  autoPromote: boolean;
  /** UI only: the arm the card edits and the preview shows (not saved, not part of "unsaved changes"). */
  shown: number;
}

export interface ArmDraft {
  id: string;
  /** whole percent, as typed */
  weight: string;
  email: StepDraft | null;
}

export interface FlowDraft {
  name: string;
  kind: FlowKind;
  enabled: boolean;
  audience: Audience;
  /** In the shop's currency units ("25.00"). */
  minCartValue: string;
  holdoutPct: number;
  respectQuiet: boolean;
  deliverVia: DeliveryChannel;
  steps: StepDraft[];
}

const UNIT_MINUTES: Record<DelayUnit, number> = { minutes: 1, hours: 60, days: 1440 };

let counter = 0;
export const newKey = () => `k${++counter}`;

export function splitDelay(minutes: number): { delayValue: string; delayUnit: DelayUnit } {
  if (minutes > 0 && minutes % 1440 === 0) return { delayValue: String(minutes / 1440), delayUnit: "days" };
  if (minutes > 0 && minutes % 60 === 0) return { delayValue: String(minutes / 60), delayUnit: "hours" };
  return { delayValue: String(minutes), delayUnit: "minutes" };
}

export function delayMinutes(step: Pick<StepDraft, "delayValue" | "delayUnit">): number {
  const value = Number(step.delayValue.trim().replace(",", "."));
  if (step.delayValue.trim() === "" || !Number.isFinite(value)) return Number.NaN;
  // Round away float noise (1.1 h = 66.00000000000001 min), keep real fractions visible to validation.
  return Math.round(value * UNIT_MINUTES[step.delayUnit] * 1e6) / 1e6;
}

export function toBlockDraft(block: Block): BlockDraft {
  return { key: newKey(), type: block.type, text: block.text ?? "" };
}

export function toStepDraft(step: FlowInput["steps"][number]): StepDraft {
  const arms = step.variants && step.variants.length >= 2 ? step.variants : [];
  return {
    ...toEmailDraft(step),
    arms: arms.map((a, i) => ({ id: a.id, weight: String(a.weight), email: i > 0 && a.step ? toEmailDraft(a.step) : null })),
    autoPromote: arms.length >= 2 && step.autoPromote === true,
  };
}

/** A step's (or an arm's) email fields as the editor holds them, without a test. */
function toEmailDraft(step: Omit<FlowInput["steps"][number], "variants" | "autoPromote">): StepDraft {
  return {
    key: newKey(),
    ...splitDelay(step.delayMinutes),
    subject: step.subject,
    preheader: step.preheader ?? "",
    body: step.body.map(toBlockDraft),
    discountOn: step.discountPercent != null,
    discountPercent: step.discountPercent != null ? String(step.discountPercent) : "10",
    discountExpiryDays: step.discountExpiryDays != null ? String(step.discountExpiryDays) : "7",
    arms: [],
    autoPromote: false,
    shown: 0,
  };
}

export function toFlowDraft(flow: FlowInput): FlowDraft {
  return {
    name: flow.name,
    kind: flow.kind,
    enabled: flow.enabled,
    audience: flow.audience,
    minCartValue: flow.minCartCents > 0 ? (flow.minCartCents / 100).toFixed(2) : "",
    holdoutPct: flow.holdoutPct,
    respectQuiet: flow.respectQuiet,
    deliverVia: flow.deliverVia,
    steps: flow.steps.map(toStepDraft),
  };
}

const numberOrNaN = (text: string) => (text.trim() === "" ? Number.NaN : Number(text.trim().replace(",", ".")));

/** A step as the schema takes it: its own email, and its arms when a test runs. */
export function toStepInput(step: StepDraft): FlowInputDraft["steps"][number] {
  if (step.arms.length < 2) return toEmailInput(step);
  return {
    ...toEmailInput(step),
    variants: step.arms.map((a, i) => ({
      id: a.id,
      weight: numberOrNaN(a.weight),
      ...(i > 0 && a.email ? { step: toEmailInput(a.email) } : {}),
    })),
    autoPromote: step.autoPromote,
  };
}

/** The email arm `arm` of a step sends (A: the step's own fields). */
export function armEmail(step: StepDraft, arm: number = step.shown): StepDraft {
  return (arm > 0 && step.arms[arm]?.email) || step;
}

/** One email's fields as the schema takes them (no arms): what the preview and a test send render. */
export function toEmailInput(step: StepDraft): FlowInputDraft["steps"][number] {
  return {
    delayMinutes: delayMinutes(step),
    subject: step.subject,
    preheader: step.preheader,
    body: step.body.map((b) => (b.text.trim() === "" || b.type === "items" ? { type: b.type } : { type: b.type, text: b.text })),
    ...(step.discountOn
      ? {
          discountPercent: numberOrNaN(step.discountPercent),
          ...(step.discountExpiryDays.trim() !== "" ? { discountExpiryDays: numberOrNaN(step.discountExpiryDays) } : {}),
        }
      : {}),
  };
}

export function toFlowDraftInput(draft: FlowDraft): FlowInputDraft {
  const minCart = draft.minCartValue.trim() === "" ? 0 : Math.round(numberOrNaN(draft.minCartValue) * 100);
  return {
    name: draft.name,
    kind: draft.kind,
    enabled: draft.enabled,
    audience: draft.audience,
    minCartCents: draft.audience === "min_value" ? minCart : 0,
    holdoutPct: draft.holdoutPct,
    respectQuiet: draft.respectQuiet,
    deliverVia: draft.deliverVia,
    steps: draft.steps.map(toStepInput),
  };
}

/** A new email after the last one: a day later, with the usual blocks. */
export function newStep(after: StepDraft | undefined): StepDraft {
  const previous = after ? delayMinutes(after) : 0;
  const minutes = Number.isFinite(previous) && previous > 0 ? previous + 1440 : 60;
  return {
    key: newKey(),
    ...splitDelay(minutes),
    subject: "",
    preheader: "",
    body: [
      { key: newKey(), type: "heading", text: "" },
      { key: newKey(), type: "text", text: 'Hi {{ first_name | default: "there" }},' },
      { key: newKey(), type: "items", text: "" },
      { key: newKey(), type: "button", text: "Return to checkout" },
    ],
    discountOn: false,
    discountPercent: "10",
    discountExpiryDays: "7",
    arms: [],
    autoPromote: false,
    shown: 0,
  };
}

/** A copy of an email with fresh row keys. */
function copyEmail(step: StepDraft): StepDraft {
  return { ...step, key: newKey(), body: step.body.map((b) => ({ ...b, key: newKey() })), arms: [], autoPromote: false, shown: 0 };
}

/** Adds a variant to a step: a copy of the arm shown, shown next; the split goes back to even. */
export function addStepArm(step: StepDraft): StepDraft {
  const from = armEmail(step);
  const arms: ArmDraft[] = step.arms.length >= 2 ? step.arms.map((a) => ({ ...a })) : [{ id: newArmId(), weight: "", email: null }];
  if (arms.length >= MAX_ARMS) return step;
  arms.push({ id: newArmId(), weight: "", email: copyEmail(from) });
  const weights = evenSplit(arms.length);
  return { ...step, arms: arms.map((a, i) => ({ ...a, weight: String(weights[i]) })), shown: arms.length - 1 };
}

/** Removes variant `arm` (B, C or D) of a step; down to one arm the test is gone. The split goes back to even. */
export function removeStepArm(step: StepDraft, arm: number): StepDraft {
  if (arm < 1 || arm >= step.arms.length) return step;
  const kept = step.arms.filter((_, i) => i !== arm);
  const shown = step.shown >= arm ? Math.max(0, step.shown - 1) : step.shown;
  if (kept.length < 2) return { ...step, arms: [], autoPromote: false, shown: 0 };
  const weights = evenSplit(kept.length);
  return { ...step, arms: kept.map((a, i) => ({ ...a, weight: String(weights[i]) })), shown };
}

/** Comparable form of a step: keys and the arm shown left out. */
function stepSignature({ key: _key, shown: _shown, body, arms, ...s }: StepDraft): unknown {
  return { ...s, body: body.map(({ key: _k, ...b }) => b), arms: arms.map((a) => ({ ...a, email: a.email ? stepSignature(a.email) : null })) };
}

/** Comparable form of a draft: keys left out, so re-created rows with equal content match. */
export function draftSignature(draft: FlowDraft): string {
  return JSON.stringify({ ...draft, steps: draft.steps.map(stepSignature) });
}

export function describeDelay(minutes: number): string {
  if (!Number.isFinite(minutes)) return "—";
  const { delayValue, delayUnit } = splitDelay(minutes);
  const n = Number(delayValue);
  const unit = n === 1 ? delayUnit.slice(0, -1) : delayUnit;
  return `${delayValue} ${unit}`;
}

export const AUDIENCE_LABELS: Record<Audience, string> = {
  any_email: "Every checkout with an email",
  marketing_consented: "Only shoppers who accepted marketing",
  min_value: "Checkouts above a minimum value",
};

export const KIND_LABELS: Record<FlowKind, string> = {
  checkout: "Checkout recovery",
  cart: "Cart reminder",
  browse: "Browse follow-up",
};

export const DELIVERY_LABELS: Record<DeliveryChannel, string> = {
  email: "Email (sent by Intentful)",
  shopify_flow: "Shopify Flow (your workflow sends it)",
};

export const BLOCK_LABELS: Record<BlockType, string> = {
  heading: "Heading",
  text: "Text",
  items: "Cart items",
  button: "Button to checkout",
  discount: "Discount code",
  recommendations: "Recommended products",
};
