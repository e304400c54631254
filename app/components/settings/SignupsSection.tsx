import { Card, Layout, Select } from "@shopify/polaris";
import type { SettingsForm } from "./useSettingsForm";

const OPT_IN_OPTIONS = [
  { label: "Double opt-in (recommended)", value: "double" },
  { label: "Single opt-in", value: "single" },
];

/** Single or double opt-in for addresses given in an overlay. */
export function SignupsSection({ form }: { form: SettingsForm }) {
  const { values, errors, set } = form;
  return (
    <Layout.AnnotatedSection id="signups" title="Email sign-ups" description="How an email address given in an overlay becomes a subscriber.">
      <Card>
        <Select
          label="Opt-in"
          name="optIn"
          options={OPT_IN_OPTIONS}
          value={values.optIn || "double"}
          onChange={set("optIn")}
          error={errors.optIn}
          helpText={
            values.optIn === "single"
              ? "Addresses count as subscribed as soon as they are given. Anyone can type anyone's address into a storefront form, so someone may receive your emails who never asked for them."
              : "A confirmation email comes first; the address is subscribed (confirmed opt-in in Shopify) and gets cart and browse reminders only once its owner follows the link. Anyone can type anyone's address into a form: this keeps your emails to people who asked for them, and your sender reputation clean."
          }
        />
      </Card>
    </Layout.AnnotatedSection>
  );
}
