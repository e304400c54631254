import type { ComponentProps, ReactElement } from "react";
import { BlockStack, Checkbox, ChoiceList, Select, Text, TextField } from "@shopify/polaris";
import type { FormValue, FormValues } from "~/components/trigger-form";

type TextFieldExtra = Partial<ComponentProps<typeof TextField>>;
export type Option = { value: string; label: string };

/** The trigger form's fields, each bound to its dotted path: value, onChange, error and form name. */
export interface TriggerFields {
  str: (path: string) => string;
  bool: (path: string) => boolean;
  list: (path: string) => string[];
  /** The field's own message, else the first about a part of it ("conditions.schedule.days.0"). */
  err: (path: string) => string | undefined;
  setValue: (path: string, value: FormValue) => void;
  text: (path: string, label: string, extra?: TextFieldExtra) => ReactElement;
  num: (path: string, label: string, extra?: TextFieldExtra) => ReactElement;
  /** An amount in the shop's currency. */
  money: (path: string, label: string, extra?: TextFieldExtra) => ReactElement;
  select: (path: string, label: string, opts: Option[], helpText?: string) => ReactElement;
  check: (path: string, label: string, helpText?: string) => ReactElement;
  choices: (path: string, title: string, opts: Option[], helpText?: string) => ReactElement;
}

export const options = (values: readonly string[], labels: Record<string, string>): Option[] =>
  values.map((value) => ({ value, label: labels[value] ?? value }));

export function triggerFields(
  values: FormValues,
  errors: Record<string, string>,
  setRaw: (path: string, value: FormValue) => void,
  currencySymbol: string,
  /** Where a field's value and errors sit (the content card of variant B maps "content.x" to "variants.1.content.x"). */
  at: (path: string) => string = (path) => path,
): TriggerFields {
  const str = (path: string) => String(values[at(path)] ?? "");
  const bool = (path: string) => values[at(path)] === true;
  const list = (path: string) => (Array.isArray(values[at(path)]) ? (values[at(path)] as string[]) : []);
  const err = (p: string) => {
    const path = at(p);
    return errors[path] ?? Object.entries(errors).find(([k]) => k.startsWith(`${path}.`))?.[1];
  };
  const setValue = (path: string, value: FormValue) => setRaw(at(path), value);

  const text = (path: string, label: string, extra: TextFieldExtra = {}) => (
    <TextField label={label} value={str(path)} onChange={(v) => setValue(path, v)} error={err(path)} autoComplete="off" name={at(path)} {...extra} />
  );
  const num = (path: string, label: string, extra: TextFieldExtra = {}) => text(path, label, { type: "number", inputMode: "numeric", ...extra });
  const money = (path: string, label: string, extra: TextFieldExtra = {}) =>
    text(path, label, { type: "text", inputMode: "decimal", prefix: currencySymbol, placeholder: "0.00", ...extra });
  const select = (path: string, label: string, opts: Option[], helpText?: string) => (
    <Select label={label} options={opts} value={str(path)} onChange={(v) => setValue(path, v)} error={err(path)} helpText={helpText} name={at(path)} />
  );
  const check = (path: string, label: string, helpText?: string) => (
    <Checkbox label={label} checked={bool(path)} onChange={(v) => setValue(path, v)} error={err(path)} helpText={helpText} />
  );
  const choices = (path: string, title: string, opts: Option[], helpText?: string) => (
    <BlockStack gap="100">
      <ChoiceList allowMultiple title={title} choices={opts} selected={list(path)} onChange={(v) => setValue(path, v)} error={err(path)} />
      {helpText && (
        <Text as="p" variant="bodySm" tone="subdued">
          {helpText}
        </Text>
      )}
    </BlockStack>
  );

  return { str, bool, list, err, setValue, text, num, money, select, check, choices };
}
