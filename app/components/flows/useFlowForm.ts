import { useCallback } from "react";
import type { FlowEditorActionResult } from "~/routes/app.flows.$id";
import { useEditorForm, type EditorForm, type Notify, type SaveOutcome, type SaveRequest } from "~/components/editor/useEditorForm";
import { draftSignature, toFlowDraft, toFlowDraftInput, type FlowDraft } from "./draft";
import type { FlowInput } from "~/domain/recovery/schema";

export interface FlowForm extends EditorForm<FlowDraft> {
  /** Changes some of the flow's own fields (not its steps). */
  update: (patch: Partial<FlowDraft>) => void;
}

/** A form post: the intent, and the flow as JSON in `flow`. */
const saveRequest = (draft: FlowDraft): SaveRequest => [{ intent: "save", flow: JSON.stringify(toFlowDraftInput(draft)) }, { method: "post" }];

/** A saved flow keeps the draft as sent (the action answers only with the time). */
const saveOutcome = (result: FlowEditorActionResult): SaveOutcome<FlowDraft> =>
  result.ok ? { ok: true, message: "Flow saved" } : { ok: false, errors: result.errors ?? {}, message: result.error };

/** The flow editor's form: the shared save plumbing over the flow's draft. */
export function useFlowForm(input: FlowInput, notify: Notify): FlowForm {
  const form = useEditorForm<FlowDraft, FlowEditorActionResult>({
    initial: () => toFlowDraft(input),
    signature: draftSignature,
    request: saveRequest,
    outcome: saveOutcome,
    notify,
  });
  const { setValues } = form;
  const update = useCallback((patch: Partial<FlowDraft>) => setValues((d) => ({ ...d, ...patch })), [setValues]);
  return { ...form, update };
}
