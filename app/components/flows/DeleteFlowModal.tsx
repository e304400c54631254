import { ConfirmDeleteModal } from "~/components/editor/ConfirmDeleteModal";

/** App Bridge's confirmation before the editor deletes its flow. */
export function DeleteFlowModal({ open, name, onClose, onDelete }: { open: boolean; name: string; onClose: () => void; onDelete: () => void }) {
  return (
    <ConfirmDeleteModal id="delete-this-flow" open={open} title="Delete flow?" onClose={onClose} onDelete={onDelete}>
      {`“${name.trim() || "Untitled flow"}” will be deleted. `}
      Emails not yet sent for this flow are not sent. Its results stay in Analytics.
    </ConfirmDeleteModal>
  );
}
