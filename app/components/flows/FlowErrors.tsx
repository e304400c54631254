import { Banner, Layout, List } from "@shopify/polaris";
import type { FieldErrors } from "~/components/editor/useEditorForm";

/** Errors about the flow as a whole are listed here; the others sit on their fields. */
const isGeneral = (path: string) => path === "_" || path === "steps" || path === "kind" || path === "enabled";

/** How many fields need attention, above the form (a layout section, or nothing). */
export function FlowErrors({ errors }: { errors: FieldErrors }) {
  const generalErrors = Object.entries(errors).filter(([path]) => isGeneral(path));
  const errorCount = Object.keys(errors).length;
  if (errorCount === 0) return null;
  return (
    <Layout.Section>
      <Banner tone="critical" title={`${errorCount} ${errorCount === 1 ? "field needs" : "fields need"} attention`}>
        {generalErrors.length > 0 ? (
          <List>
            {generalErrors.map(([path, message]) => (
              <List.Item key={path}>{message}</List.Item>
            ))}
          </List>
        ) : (
          <p>They are marked below.</p>
        )}
      </Banner>
    </Layout.Section>
  );
}
