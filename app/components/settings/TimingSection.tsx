import { useMemo } from "react";
import { Button, Card, FormLayout, InlineStack, Layout, Select } from "@shopify/polaris";
import type { SettingsForm } from "./useSettingsForm";

const HOURS = [{ value: "", label: "Off" }, ...Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: `${String(h).padStart(2, "0")}:00` }))];

/** The time zone quiet hours are read in, and the quiet hours themselves. */
export function TimingSection({ form, timezones, shopTimezone }: { form: SettingsForm; timezones: string[]; shopTimezone: string | null }) {
  const { values, errors, set } = form;
  const timezoneOptions = useMemo(() => {
    const list = timezones.includes(values.timezone) ? timezones : [values.timezone, ...timezones];
    return list.map((tz) => ({ value: tz, label: tz.replace(/_/g, " ") }));
  }, [timezones, values.timezone]);
  return (
    <Layout.AnnotatedSection id="timing" title="Time zone and quiet hours" description="No recovery email is sent during quiet hours; it waits until they end.">
      <Card>
        <FormLayout>
          <Select
            label="Time zone"
            name="timezone"
            options={timezoneOptions}
            value={values.timezone}
            onChange={set("timezone")}
            error={errors.timezone}
            helpText={
              shopTimezone && shopTimezone !== values.timezone ? (
                <InlineStack gap="100" blockAlign="center">
                  <span>Your store uses {shopTimezone.replace(/_/g, " ")}.</span>
                  <Button variant="plain" onClick={() => set("timezone")(shopTimezone)}>
                    Use it
                  </Button>
                </InlineStack>
              ) : shopTimezone ? (
                "Same as your store."
              ) : undefined
            }
          />
          <FormLayout.Group condensed>
            <Select
              label="Quiet hours start"
              name="quietHoursStart"
              options={HOURS}
              value={values.quietHoursStart}
              onChange={set("quietHoursStart")}
              error={errors.quietHoursStart}
            />
            <Select
              label="Quiet hours end"
              name="quietHoursEnd"
              options={HOURS}
              value={values.quietHoursEnd}
              onChange={set("quietHoursEnd")}
              error={errors.quietHoursEnd}
            />
          </FormLayout.Group>
        </FormLayout>
      </Card>
    </Layout.AnnotatedSection>
  );
}
