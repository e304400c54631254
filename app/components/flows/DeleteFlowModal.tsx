import { Box, Text } from "@shopify/polaris";
import { Modal, TitleBar } from "@shopify/app-bridge-react";

/** App Bridge's confirmation before the editor deletes its flow. */
export function DeleteFlowModal({ open, name, onClose, onDelete }: { open: boolean; name: string; onClose: () => void; onDelete: () => void }) {
  return (
    <Modal id="delete-this-flow" open={open} onHide={onClose} variant="small">
      <TitleBar title="Delete flow?">
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
        <Text as="p">
          {`“${name.trim() || "Untitled flow"}” will be deleted. `}
          Emails not yet sent for this flow are not sent. Its results stay in Analytics.
        </Text>
      </Box>
    </Modal>
  );
}
