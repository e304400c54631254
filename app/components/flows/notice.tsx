import { useCallback, useState } from "react";
import { Banner } from "@shopify/polaris";
import { showToast } from "./app-bridge";

interface Notice {
  message: string;
  isError: boolean;
}

/**
 * `notify` shows an App Bridge toast; without App Bridge it falls back to a dismissible banner
 * (rendered by `element`), so the message is never lost.
 */
export function useNotice(): { notify: (message: string, options?: { isError?: boolean }) => void; element: JSX.Element | null } {
  const [notice, setNotice] = useState<Notice | null>(null);
  const notify = useCallback((message: string, options: { isError?: boolean } = {}) => {
    if (showToast(message, options)) return;
    setNotice({ message, isError: options.isError ?? false });
  }, []);
  const element = notice ? (
    <div role="status">
      <Banner tone={notice.isError ? "critical" : "success"} onDismiss={() => setNotice(null)}>
        {notice.message}
      </Banner>
    </div>
  ) : null;
  return { notify, element };
}
