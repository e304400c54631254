import { useCallback } from "react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { buildInput, SCHEDULE_ON, type FormValue, type FormValues } from "~/components/trigger-form";
import { useEditorForm, type EditorForm, type Notify, type SaveOutcome, type SaveRequest } from "~/components/editor/useEditorForm";

/** The trigger editor's action answers (app.triggers.$id). */
export type TriggerSaveResult =
  { ok: false; errors: Record<string, string> } | { ok: true; values: FormValues; publish: { ok: true; live: boolean } | { ok: false; error: string } };

export interface TriggerForm extends EditorForm<FormValues> {
  /** Sets one field and settles the errors about it. */
  setValue: (path: string, value: FormValue) => void;
}

/** The form posts the nested input `parseTriggerInput` validates, as JSON, to the page's own action. */
const saveRequest = (values: FormValues): SaveRequest => [buildInput(values) as never, { method: "post", encType: "application/json" }];

function saveOutcome(result: TriggerSaveResult): SaveOutcome<FormValues> {
  if (!result.ok) {
    const n = Object.keys(result.errors).length;
    return { ok: false, errors: result.errors, message: n === 1 ? "Fix 1 error to save" : `Fix ${n} errors to save` };
  }
  if (!result.publish.ok) return { ok: true, values: result.values, message: "Saved, but publishing to your storefront failed. We'll retry.", isError: true };
  return { ok: true, values: result.values, message: result.publish.live ? "Trigger saved and live" : "Trigger saved" };
}

/** The trigger editor's form: the shared save plumbing, App Bridge's toasts, and one setter per dotted path. */
export function useTriggerForm(data: { id: string; values: FormValues }): TriggerForm {
  const shopify = useAppBridge();
  const notify = useCallback<Notify>(
    (message, options) => {
      if (options?.isError) shopify.toast.show(message, { isError: true });
      else shopify.toast.show(message);
    },
    [shopify],
  );
  const form = useEditorForm<FormValues, TriggerSaveResult>({
    initial: () => data.values,
    fetcherKey: `save-trigger-${data.id}`,
    request: saveRequest,
    outcome: saveOutcome,
    notify,
  });
  const { setValues, setErrors } = form;

  const setValue = useCallback(
    (path: string, value: FormValue) => {
      setValues((v) => ({ ...v, [path]: value }));
      setErrors((e) => {
        // (ticking or unticking the schedule box settles the schedule's own errors too)
        const prefix = path === SCHEDULE_ON ? "conditions.schedule" : path;
        // (a variant's traffic share settles the error about the split as a whole too)
        const stale = Object.keys(e).filter(
          (k) => k === path || k === prefix || k.startsWith(`${prefix}.`) || (k === "variants" && /^variants\.\d+\.weight$/.test(path)),
        );
        if (stale.length === 0) return e;
        const rest = { ...e };
        for (const k of stale) delete rest[k];
        return rest;
      });
    },
    [setValues, setErrors],
  );

  return { ...form, setValue };
}
