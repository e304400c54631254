/** The settings form's fields, in the order the action reads them. */
export const SETTINGS_FIELDS = [
  "senderName",
  "senderEmail",
  "replyTo",
  "timezone",
  "quietHoursStart",
  "quietHoursEnd",
  "overlaysPerSession",
  "channelGapHours",
  "emailsPerWindow",
  "emailWindowHours",
  "attributionWindowDays",
  "retentionDays",
  "optIn",
  "brandLogoUrl",
  "brandColor",
  "brandAccentColor",
] as const;
export type SettingsField = (typeof SETTINGS_FIELDS)[number];
/** Every field as the form holds it: a string, empty for unset. */
export type SettingsValues = Record<SettingsField, string>;

/** How recovery emails leave: an SMTP server, or only the outbox. */
export type MailTransport = { kind: "smtp"; host: string } | { kind: "outbox" };

/** The settings page's action answers (save, publish, retry-dead-jobs). */
export type SettingsActionData = {
  ok: boolean;
  intent: string;
  error?: string;
  errors?: Record<string, string>;
  values?: SettingsValues;
  count?: number;
  publish?: { ok: boolean; error?: string };
};
