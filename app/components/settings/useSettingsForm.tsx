import { useCallback, type ComponentProps, type ReactElement } from "react";
import { TextField } from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { useEditorForm, type EditorForm, type Notify, type SaveOutcome, type SaveRequest } from "~/components/editor/useEditorForm";
import type { SettingsActionData, SettingsField, SettingsValues } from "./values";

type TextFieldExtra = Partial<ComponentProps<typeof TextField>>;

export interface SettingsForm extends EditorForm<SettingsValues> {
  /** A setter for one field that also clears the error about it. */
  set: (f: SettingsField) => (v: string) => void;
  /** A text field bound to one setting: value, onChange, error and form name. */
  field: (f: SettingsField, label: string, extra?: TextFieldExtra) => ReactElement;
}

/** The form posts its fields with intent "save" to the page's own action. */
const saveRequest = (values: SettingsValues): SaveRequest => [{ intent: "save", ...values }, { method: "post" }];

function saveOutcome(r: SettingsActionData): SaveOutcome<SettingsValues> {
  if (!r.ok) return { ok: false, errors: r.errors ?? {}, message: r.error ?? "Fix the highlighted fields to save" };
  if (r.publish && !r.publish.ok)
    return { ok: true, values: r.values, message: "Settings saved, but publishing to your storefront failed. We'll retry.", isError: true };
  return { ok: true, values: r.values, message: "Settings saved" };
}

/** The settings form: the editors' save plumbing, App Bridge's toasts, and a setter and text field per setting. */
export function useSettingsForm(initial: SettingsValues): SettingsForm {
  const shopify = useAppBridge();
  const notify = useCallback<Notify>(
    (message, options) => {
      if (options?.isError) shopify.toast.show(message, { isError: true });
      else shopify.toast.show(message);
    },
    [shopify],
  );
  const form = useEditorForm<SettingsValues, SettingsActionData>({
    initial: () => initial,
    fetcherKey: "save-settings",
    request: saveRequest,
    outcome: saveOutcome,
    notify,
  });
  const { values, errors, setValues, setErrors } = form;

  const set = (f: SettingsField) => (v: string) => {
    setValues((s) => ({ ...s, [f]: v }));
    setErrors((e) => {
      if (!(f in e)) return e;
      const { [f]: _removed, ...rest } = e;
      return rest;
    });
  };
  const field = (f: SettingsField, label: string, extra: TextFieldExtra = {}) => (
    <TextField label={label} name={f} value={values[f]} onChange={set(f)} error={errors[f]} autoComplete="off" {...extra} />
  );

  return { ...form, set, field };
}
