import { useState } from "react";
import { downloadFile } from "~/components/download";
import { analyticsSearch, type AnalyticsQuery } from "./query";

/** Downloads the page's CSV for the range shown; a failure is kept to show in a banner. */
export function useCsvExport(query: AnalyticsQuery) {
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    const url = `/app/analytics/csv${analyticsSearch(query)}`;
    try {
      await downloadFile(url, "intentful-analytics.csv");
    } catch (error) {
      setExportError(`The export failed (${error instanceof Error ? error.message : "network error"}). Try again.`);
    } finally {
      setExporting(false);
    }
  };
  return { exporting, exportError, dismissError: () => setExportError(null), exportCsv };
}
