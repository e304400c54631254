import { Banner, List } from "@shopify/polaris";
import { FIELDS } from "~/components/trigger-form";

const ORDER = Object.keys(FIELDS);

/** Where a path's field sits in the form (errors about unknown paths go last). */
function rank(order: string[], path: string): number {
  const i = order.findIndex((f) => f === path || f.startsWith(`${path}.`) || path.startsWith(`${f}.`));
  return i < 0 ? order.length : i;
}

/** Every error of the last save, in the form's order, above the form. */
export function TriggerErrors({ errors }: { errors: Record<string, string> }) {
  const errorList = Object.entries(errors).sort(([a], [b]) => rank(ORDER, a) - rank(ORDER, b));
  if (errorList.length === 0) return null;
  return (
    <Banner tone="critical" title={errorList.length === 1 ? "There is 1 error with this trigger" : `There are ${errorList.length} errors with this trigger`}>
      <List>
        {errorList.map(([path, message]) => (
          <List.Item key={path}>{message}</List.Item>
        ))}
      </List>
    </Banner>
  );
}
