import { SectionCard } from "~/components/editor/SectionCard";
import { FormLayout, Text } from "@shopify/polaris";
import { SCHEDULE_ON } from "~/components/trigger-form";
import { DAY_OPTIONS, END_HOUR_OPTIONS, SCHEDULE_HELP, START_HOUR_OPTIONS } from "~/components/trigger-labels";
import type { TriggerFields } from "./fields";

/** Any time, or only on some days between two hours. */
export function ScheduleCard({ f }: { f: TriggerFields }) {
  const on = f.bool(SCHEDULE_ON);
  return (
    <SectionCard title="Schedule">
      <FormLayout>
        {f.check(SCHEDULE_ON, "Only show at certain times", on ? undefined : "Off: any day, any time.")}
        {on && (
          <>
            {f.choices("conditions.schedule.days", "Days", DAY_OPTIONS)}
            <FormLayout.Group condensed>
              {f.select("conditions.schedule.startHour", "From", START_HOUR_OPTIONS)}
              {f.select("conditions.schedule.endHour", "Until", END_HOUR_OPTIONS)}
            </FormLayout.Group>
            <Text as="p" variant="bodySm" tone="subdued">
              {SCHEDULE_HELP}
            </Text>
          </>
        )}
      </FormLayout>
    </SectionCard>
  );
}
