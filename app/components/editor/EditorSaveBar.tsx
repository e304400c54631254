import { SaveBar } from "@shopify/app-bridge-react";

/** App Bridge's contextual save bar with the editors' Save and Discard (both disabled while a save is under way). */
export function EditorSaveBar({
  id,
  open,
  saving,
  onSave,
  onDiscard,
}: {
  id: string;
  open: boolean;
  saving: boolean;
  onSave: () => void;
  onDiscard: () => void;
}) {
  return (
    <SaveBar id={id} open={open}>
      <button variant="primary" onClick={onSave} disabled={saving}>
        {saving ? "Saving…" : "Save"}
      </button>
      <button onClick={onDiscard} disabled={saving}>
        Discard
      </button>
    </SaveBar>
  );
}
