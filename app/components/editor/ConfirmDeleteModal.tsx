import type { ReactNode } from "react";
import { Box, Text } from "@shopify/polaris";
import { Modal, TitleBar } from "@shopify/app-bridge-react";

/** App Bridge's small confirmation before something is deleted: Delete (critical) or Cancel; either closes it. */
export function ConfirmDeleteModal({
  id,
  open,
  title,
  children,
  onClose,
  onDelete,
}: {
  id: string;
  open: boolean;
  title: string;
  /** What deleting does, in a sentence or two. */
  children: ReactNode;
  onClose: () => void;
  onDelete: () => void;
}) {
  return (
    <Modal id={id} open={open} onHide={onClose} variant="small">
      <TitleBar title={title}>
        <button
          variant="primary"
          tone="critical"
          onClick={() => {
            onDelete();
            onClose();
          }}
        >
          Delete
        </button>
        <button onClick={onClose}>Cancel</button>
      </TitleBar>
      <Box padding="400">
        <Text as="p">{children}</Text>
      </Box>
    </Modal>
  );
}
