import { Banner, List } from "@shopify/polaris";

/** Every error of the last save, above the form. */
export function SettingsErrors({ errors }: { errors: Record<string, string> }) {
  const errorCount = Object.keys(errors).length;
  if (errorCount === 0) return null;
  return (
    <Banner tone="critical" title={errorCount === 1 ? "There is 1 error in your settings" : `There are ${errorCount} errors in your settings`}>
      <List>
        {Object.entries(errors).map(([f, m]) => (
          <List.Item key={f}>{m}</List.Item>
        ))}
      </List>
    </Banner>
  );
}
