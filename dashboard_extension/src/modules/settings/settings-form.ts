/**
 * The Settings page's state: a draft of every setting, write-only secrets ("set — replace"), the input a save
 * sends (only what changed), and the API's per-field errors keyed by the field that shows them.
 */
import type { CrmSettingsInput, CrmSettingsQuery } from "../../generated/graphql";
import type { CrmFieldError } from "../api/crm-client";

export type Settings = CrmSettingsQuery["crmSettings"];

export const NUMBER_FIELDS = [
  "sendRatePerMinute", "frequencyCapCount", "frequencyCapDays", "doubleOptIn", "confirmationLinkHours",
  "abandonedCheckoutMinutes", "favouriteLimit", "repeatPurchaseMinPercent", "autoTrainMinOrders",
  "recommendationRefreshSeconds", "sweepAfterSeconds", "foldBatchSize",
] as const;
export const TEXT_FIELDS = [
  "emailProvider", "fromEmail", "fromName", "shopName", "unsubscribeMailto", "publicUrl", "shopTimeZone",
  "storefrontProductUrl", "storefrontCheckoutUrl", "linkHosts", "dashboardOrigins", "clientIpHeader",
] as const;
export const SECRET_FIELDS = ["emailApiKey", "smtpUrl", "trackingWebhookSecret"] as const;

export type NumberField = (typeof NUMBER_FIELDS)[number];
export type TextField = (typeof TEXT_FIELDS)[number];
export type SecretField = (typeof SECRET_FIELDS)[number];
export type SettingField = NumberField | TextField | SecretField;

/** A secret as the page holds it: whether the server has one, and what staff typed to replace it (if they do). */
export type SecretDraft = { isSet: boolean; replacing: boolean; value: string; clear: boolean };

export type SettingsDraft = {
  numbers: Record<NumberField, string>;
  texts: Record<TextField, string>;
  secrets: Record<SecretField, SecretDraft>;
};

/** The page's sections, in order: which fields each one shows. */
export const SECTIONS: { id: string; fields: readonly SettingField[] }[] = [
  { id: "provider", fields: ["emailProvider", "emailApiKey", "smtpUrl"] },
  { id: "sender", fields: ["fromEmail", "fromName", "shopName", "unsubscribeMailto", "sendRatePerMinute",
    "frequencyCapCount", "frequencyCapDays", "shopTimeZone"] },
  { id: "consent", fields: ["doubleOptIn", "confirmationLinkHours"] },
  { id: "links", fields: ["publicUrl", "storefrontProductUrl", "storefrontCheckoutUrl", "linkHosts",
    "dashboardOrigins", "clientIpHeader"] },
  { id: "tracking", fields: ["trackingWebhookSecret"] },
  { id: "data", fields: ["abandonedCheckoutMinutes", "favouriteLimit", "repeatPurchaseMinPercent",
    "autoTrainMinOrders", "recommendationRefreshSeconds", "sweepAfterSeconds", "foldBatchSize"] },
];

const ALL_FIELDS: ReadonlySet<string> = new Set<string>([...NUMBER_FIELDS, ...TEXT_FIELDS, ...SECRET_FIELDS]);

export const isNumberField = (field: SettingField): field is NumberField =>
  (NUMBER_FIELDS as readonly string[]).includes(field);
export const isSecretField = (field: SettingField): field is SecretField =>
  (SECRET_FIELDS as readonly string[]).includes(field);

export const draftFrom = (settings: Settings): SettingsDraft => ({
  numbers: Object.fromEntries(NUMBER_FIELDS.map((field) => [field, String(settings[field].value)])) as Record<NumberField, string>,
  texts: Object.fromEntries(TEXT_FIELDS.map((field) => [field, settings[field].value])) as Record<TextField, string>,
  secrets: Object.fromEntries(
    SECRET_FIELDS.map((field) => [field, { isSet: settings[field].isSet, replacing: !settings[field].isSet, value: "", clear: false }]),
  ) as Record<SecretField, SecretDraft>,
});

/** "Replace" on a set secret: an empty field to type the new value in. "Keep" goes back to the stored one. */
export const replaceSecret = (secret: SecretDraft, replacing: boolean): SecretDraft => ({
  ...secret, replacing, value: "", clear: false,
});

/** "Remove" on a set secret: saved as empty. */
export const clearSecret = (secret: SecretDraft): SecretDraft => ({ ...secret, replacing: false, value: "", clear: true });

const WHOLE_NUMBER = /^-?\d+$/;

/**
 * The save's input: only settings that differ from `saved` (a pinned one is never sent). A number that is not a
 * whole number is refused here, with the code the API gives, so it is shown by its field like the API's errors.
 */
export const toSettingsInput = (
  draft: SettingsDraft,
  saved: Settings,
): { input: CrmSettingsInput; errors: CrmFieldError[] } => {
  const input: Record<string, string | number> = {};
  const errors: CrmFieldError[] = [];
  for (const field of NUMBER_FIELDS) {
    const text = draft.numbers[field].trim();
    if (saved[field].pinned || text === String(saved[field].value)) continue;
    if (!WHOLE_NUMBER.test(text)) {
      errors.push({ field, code: "not_a_number", message: "Enter a whole number." });
      continue;
    }
    input[field] = Number(text);
  }
  for (const field of TEXT_FIELDS) {
    if (!saved[field].pinned && draft.texts[field].trim() !== saved[field].value) input[field] = draft.texts[field];
  }
  for (const field of SECRET_FIELDS) {
    const secret = draft.secrets[field];
    if (saved[field].pinned) continue;
    if (secret.clear) input[field] = "";
    else if (secret.replacing && secret.value.trim() !== "") input[field] = secret.value;
  }
  return { input: input as CrmSettingsInput, errors };
};

/** Whether anything would be saved. */
export const hasChanges = (draft: SettingsDraft, saved: Settings): boolean => {
  const { input, errors } = toSettingsInput(draft, saved);
  return errors.length > 0 || Object.keys(input).length > 0;
};

/** The API's errors keyed by the field that shows them; errors about no field of the page under "form". */
export const errorsByField = (errors: CrmFieldError[]): Record<string, CrmFieldError[]> => {
  const result: Record<string, CrmFieldError[]> = {};
  for (const error of errors) {
    const field = (error.field ?? "").replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    (result[ALL_FIELDS.has(field) ? field : "form"] ??= []).push(error);
  }
  return result;
};

/** The test mail's errors: about the address under "to", a setting's by that setting, anything else under "form". */
export const testMailErrors = (errors: CrmFieldError[]): Record<string, CrmFieldError[]> => {
  const result: Record<string, CrmFieldError[]> = {};
  for (const error of errors) {
    const field = (error.field ?? "").replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
    const key = field === "to" || ALL_FIELDS.has(field) ? field : "form";
    (result[key] ??= []).push(error);
  }
  return result;
};

/** Which provider fields apply: an API key for an ESP, the SMTP server for SMTP, neither for Django's backend. */
export const providerKind = (provider: string): "django" | "smtp" | "esp" => {
  const name = provider.trim();
  if (!name) return "django";
  return name === "smtp" ? "smtp" : "esp";
};
