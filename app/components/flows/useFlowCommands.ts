import { useEffect } from "react";
import { useFetcher } from "@remix-run/react";
import type { FlowEditorActionResult } from "~/routes/app.flows.$id";
import type { Notify } from "~/components/editor/useEditorForm";

/** Duplicate and delete: the action redirects when they work, and its error is told when they don't. */
export function useFlowCommands(notify: Notify) {
  const commander = useFetcher<FlowEditorActionResult>();
  useEffect(() => {
    if (commander.state === "idle" && commander.data && !commander.data.ok) notify(commander.data.error, { isError: true });
  }, [commander.state, commander.data, notify]);
  return {
    duplicate: () => commander.submit({ intent: "duplicate" }, { method: "post" }),
    remove: () => commander.submit({ intent: "delete" }, { method: "post" }),
  };
}
