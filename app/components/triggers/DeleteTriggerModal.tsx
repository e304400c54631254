import { useEffect, useRef } from "react";
import { useFetcher } from "@remix-run/react";
import { useAppBridge } from "@shopify/app-bridge-react";
import { ConfirmDeleteModal } from "~/components/editor/ConfirmDeleteModal";
import type { TriggerListActionData } from "./list";

/** Deletes a trigger from the list, its answer told in a toast. */
function useTriggerDeleter() {
  const shopify = useAppBridge();
  const deleter = useFetcher<TriggerListActionData>();
  const lastDelete = useRef<unknown>(null);
  useEffect(() => {
    if (deleter.state !== "idle" || !deleter.data || deleter.data === lastDelete.current) return;
    lastDelete.current = deleter.data;
    if (!deleter.data.ok) shopify.toast.show(deleter.data.error ?? "Could not delete the trigger", { isError: true });
    else if (deleter.data.publish && !deleter.data.publish.ok)
      shopify.toast.show("Trigger deleted. Publishing to your storefront failed; we'll retry.", { isError: true });
    else shopify.toast.show("Trigger deleted");
  }, [deleter.state, deleter.data, shopify]);
  return (id: string) => deleter.submit({ intent: "delete", id }, { method: "post" });
}

/** App Bridge's confirmation before the list deletes a trigger; open while `trigger` is set. */
export function DeleteTriggerModal({ trigger, onClose }: { trigger: { id: string; name: string } | null; onClose: () => void }) {
  const remove = useTriggerDeleter();
  return (
    <ConfirmDeleteModal id="delete-trigger" open={trigger !== null} title="Delete trigger?" onClose={onClose} onDelete={() => trigger && remove(trigger.id)}>
      {trigger ? `“${trigger.name}” will stop showing on your storefront. ` : ""}
      This can't be undone. Reports keep the events it already recorded.
    </ConfirmDeleteModal>
  );
}
