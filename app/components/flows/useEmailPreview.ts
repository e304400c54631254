import { useEffect, useRef, useState } from "react";
import { useFetcher } from "@remix-run/react";
import type { FlowEditorActionResult } from "~/routes/app.flows.$id";
import { armEmail, toEmailInput, type StepDraft } from "./draft";
import type { PreviewEmail } from "./EmailPreview";

export interface EmailPreviewState {
  /** The email the merchant chose to preview (may be past the last one after a removal). */
  selected: number;
  select: (index: number) => void;
  /** The email previewed: the chosen one, or the last. */
  index: number;
  /** Its A/B variant shown (0 = A, the step's own fields). */
  arm: number;
  /** The fields of that email and variant. */
  step: StepDraft;
  preview: PreviewEmail | null;
  /** The last render failed (fields with errors), so the preview shows an older version. */
  stale: boolean;
  loading: boolean;
}

/**
 * The previewed email, rendered by the action shortly after its content stops changing.
 * `first` is the stored first email, which the loader's preview already shows.
 */
export function useEmailPreview(steps: StepDraft[], first: StepDraft, initial: PreviewEmail | null): EmailPreviewState {
  const previewer = useFetcher<FlowEditorActionResult>();
  const [selected, select] = useState(0);
  const [preview, setPreview] = useState<PreviewEmail | null>(initial);
  const [stale, setStale] = useState(false);

  const index = Math.min(selected, steps.length - 1);
  // the variant shown on the email's card: its own fields only, so another variant's errors leave this preview alone
  const arm = steps[index].arms.length >= 2 ? Math.min(steps[index].shown, steps[index].arms.length - 1) : 0;
  const step = armEmail(steps[index], arm);
  const signature = JSON.stringify(toEmailInput(step));
  const lastRendered = useRef(JSON.stringify(toEmailInput(first)));
  useEffect(() => {
    if (signature === lastRendered.current) return;
    const timer = setTimeout(() => {
      lastRendered.current = signature;
      previewer.submit({ intent: "preview", stepIndex: String(index), arm: String(arm), step: signature }, { method: "post" });
    }, 400);
    return () => clearTimeout(timer);
    // Only the content and the index: previewer.submit is stable enough, and re-running on it would resubmit in a loop.
  }, [signature, index, arm]);
  useEffect(() => {
    if (previewer.state !== "idle" || !previewer.data) return;
    const result = previewer.data;
    if (result.ok && result.intent === "preview") {
      setPreview(result.preview);
      setStale(false);
    } else if (!result.ok) setStale(true);
  }, [previewer.state, previewer.data]);

  return { selected, select, index, arm, step, preview, stale, loading: previewer.state !== "idle" };
}
