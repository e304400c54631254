import { useCallback, useEffect, useMemo, useRef, useState, type Dispatch, type SetStateAction } from "react";
import { useFetcher } from "@remix-run/react";

export type FieldErrors = Record<string, string>;

type FetcherSubmit = ReturnType<typeof useFetcher>["submit"];
/** What `fetcher.submit` is called with: the body and the options (method, encType). */
export type SaveRequest = Parameters<FetcherSubmit>;

/** What a save's answer means for the form. */
export type SaveOutcome<V> =
  | {
      ok: true;
      /** The values as the server stored them; without them the submitted values become the saved baseline. */
      values?: V;
      message: string;
      /** Saved, but something after the save went wrong (the message says what). */
      isError?: boolean;
    }
  | { ok: false; errors: FieldErrors; message: string };

export type Notify = (message: string, options?: { isError?: boolean }) => void;

export interface EditorFormOptions<V, R> {
  /** The stored values the form starts from (read once). */
  initial: () => V;
  /** Comparable form of the values; the form is dirty when the draft's differs from the baseline's. Default: JSON.stringify. */
  signature?: (values: V) => string;
  /** A fetcher key, when the save's answer should outlive the component. */
  fetcherKey?: string;
  /** The request a save sends (pass a stable function). */
  request: (values: V) => SaveRequest;
  /** Reads the action's answer (pass a stable function). */
  outcome: (result: R) => SaveOutcome<V>;
  /** Tells the merchant how the save went (a toast, or a fallback). */
  notify: Notify;
}

export interface EditorForm<V> {
  values: V;
  setValues: Dispatch<SetStateAction<V>>;
  /** The values last loaded or saved: what Discard goes back to. */
  baseline: V;
  /** The server's field errors, keyed by the schema's paths. */
  errors: FieldErrors;
  setErrors: Dispatch<SetStateAction<FieldErrors>>;
  dirty: boolean;
  saving: boolean;
  save: () => void;
  discard: () => void;
}

const defaultSignature = (values: unknown) => JSON.stringify(values);

/**
 * The save plumbing the admin's editors share: the draft and the baseline it is compared with
 * (dirty), one fetcher that posts the draft to the route's action (saving while it is under way),
 * and the answer applied once: field errors onto the form, or the new baseline, each with a message.
 */
export function useEditorForm<V, R>({ initial, signature = defaultSignature, fetcherKey, request, outcome, notify }: EditorFormOptions<V, R>): EditorForm<V> {
  const fetcher = useFetcher<R>(fetcherKey ? { key: fetcherKey } : undefined);
  const [baseline, setBaseline] = useState<V>(initial);
  const [values, setValues] = useState<V>(baseline);
  const [errors, setErrors] = useState<FieldErrors>({});
  const submitted = useRef<V | null>(null);
  const handled = useRef<unknown>(null);

  const dirty = useMemo(() => signature(values) !== signature(baseline), [signature, values, baseline]);
  const saving = fetcher.state !== "idle";

  useEffect(() => {
    const result = fetcher.data as R | undefined;
    if (fetcher.state !== "idle" || !result || result === handled.current) return;
    handled.current = result;
    const sent = submitted.current;
    submitted.current = null;
    const answer = outcome(result);
    if (!answer.ok) {
      setErrors(answer.errors);
      notify(answer.message, { isError: true });
      return;
    }
    setErrors({});
    const saved = answer.values ?? sent;
    if (saved) setBaseline(saved);
    if (answer.values) setValues(answer.values);
    notify(answer.message, answer.isError ? { isError: true } : undefined);
  }, [fetcher.state, fetcher.data, outcome, notify]);

  const submit = fetcher.submit;
  const save = useCallback(() => {
    submitted.current = values;
    submit(...request(values));
  }, [submit, request, values]);
  const discard = useCallback(() => {
    setValues(baseline);
    setErrors({});
  }, [baseline]);

  return { values, setValues, baseline, errors, setErrors, dirty, saving, save, discard };
}
