import { useEffect } from "react";
import { useFetcher } from "@remix-run/react";
import { ConfirmDeleteModal } from "~/components/editor/ConfirmDeleteModal";
import type { FlowListActionResult, NotifyFn } from "./list";

/** Deletes a flow from the list, its answer told through `notify`; `deletingId` is the flow on its way out. */
export function useFlowDeleter(notify: NotifyFn) {
  const deleter = useFetcher<FlowListActionResult>();
  useEffect(() => {
    if (deleter.state !== "idle" || !deleter.data) return;
    if (deleter.data.ok) notify("Flow deleted");
    else notify(deleter.data.error, { isError: true });
  }, [deleter.state, deleter.data, notify]);
  const deletingId = deleter.formData?.get("intent") === "delete" ? String(deleter.formData.get("id")) : null;
  const remove = (id: string) => deleter.submit({ intent: "delete", id }, { method: "post" });
  return { deletingId, remove };
}

/** App Bridge's confirmation before the list deletes a flow; open while `flow` is set. */
export function DeleteListedFlowModal({
  flow,
  onClose,
  onDelete,
}: {
  flow: { id: string; name: string } | null;
  onClose: () => void;
  onDelete: (id: string) => void;
}) {
  return (
    <ConfirmDeleteModal id="delete-flow" open={flow !== null} title="Delete flow?" onClose={onClose} onDelete={() => flow && onDelete(flow.id)}>
      {flow ? `“${flow.name}” will be deleted. ` : ""}
      Emails not yet sent for this flow are not sent. Its results stay in Analytics.
    </ConfirmDeleteModal>
  );
}
