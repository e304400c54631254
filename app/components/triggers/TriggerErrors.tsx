import { Banner, List } from "@shopify/polaris";
import { FIELDS } from "~/components/trigger-form";
import { armLabel } from "~/domain/experiments/variants";

const ORDER = Object.keys(FIELDS);

/** Where a path's field sits in the form (errors about unknown paths go last). */
function rank(order: string[], path: string): number {
  const i = order.findIndex((f) => f === path || f.startsWith(`${path}.`) || path.startsWith(`${f}.`));
  return i < 0 ? order.length : i;
}

/** The variant an error is about ("variants.1.content.headline" → "B"), when it names one. */
function variantOf(path: string): string | undefined {
  const m = /^variants\.(\d+)\./.exec(path);
  return m ? armLabel(Number(m[1])) : undefined;
}

/** Every error of the last save, in the form's order, above the form. */
export function TriggerErrors({ errors }: { errors: Record<string, string> }) {
  const errorList = Object.entries(errors).sort(([a], [b]) => rank(ORDER, a) - rank(ORDER, b));
  if (errorList.length === 0) return null;
  return (
    <Banner tone="critical" title={errorList.length === 1 ? "There is 1 error with this trigger" : `There are ${errorList.length} errors with this trigger`}>
      <List>
        {errorList.map(([path, message]) => (
          <List.Item key={path}>{variantOf(path) ? `Variant ${variantOf(path)}: ${message}` : message}</List.Item>
        ))}
      </List>
    </Banner>
  );
}
