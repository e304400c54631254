import { useEffect, useState, type Dispatch, type SetStateAction } from "react";
import { useFetcher } from "@remix-run/react";
import type { FlowEditorActionResult } from "~/routes/app.flows.$id";
import type { FieldErrors, Notify } from "~/components/editor/useEditorForm";
import { toEmailInput, type StepDraft } from "./draft";

/**
 * Sending the previewed email to an address as a test. Its answer puts the address's error
 * (`to`) on the form's errors, or takes it off.
 */
export function useTestEmail({
  initialTo,
  index,
  arm,
  step,
  notify,
  setErrors,
}: {
  initialTo: string;
  index: number;
  /** the A/B variant shown (0 = A) */
  arm: number;
  step: StepDraft;
  notify: Notify;
  setErrors: Dispatch<SetStateAction<FieldErrors>>;
}) {
  const tester = useFetcher<FlowEditorActionResult>();
  const [testTo, setTestTo] = useState(initialTo);

  useEffect(() => {
    if (tester.state !== "idle" || !tester.data) return;
    const result = tester.data;
    if (result.ok && result.intent === "test-email") {
      setErrors((e) => {
        const { to: _to, ...rest } = e;
        return rest;
      });
      notify(
        result.delivery === "outbox" ? "No mail server is set up (SMTP_URL), so the test email was saved to the outbox." : `Test email sent to ${result.to}`,
      );
    } else if (!result.ok) {
      setErrors((e) => ({ ...e, ...(result.errors ?? {}) }));
      notify(result.error, { isError: true });
    }
  }, [tester.state, tester.data, notify, setErrors]);

  const sendTest = () =>
    tester.submit(
      { intent: "test-email", stepIndex: String(index), arm: String(arm), step: JSON.stringify(toEmailInput(step)), to: testTo },
      { method: "post" },
    );

  return { testTo, setTestTo, sendTest, sending: tester.state !== "idle" };
}
