/** An automation's editable settings as form state, checked in the browser and turned into the API's input. */
import type { AutomationsQuery, CrmAutomationInput } from "../../generated/graphql";
import type { CrmFieldError } from "../api/crm-client";

export type Automation = AutomationsQuery["crmAutomations"][number];

export type DelayUnit = "minutes" | "hours" | "days";
export const DELAY_UNITS: DelayUnit[] = ["minutes", "hours", "days"];
export const UNIT_SECONDS: Record<DelayUnit, number> = { minutes: 60, hours: 3600, days: 86400 };
/** The API's limit for a step's delay (saleor_crm_plugin/campaigns/automations/staff.py MAX_DELAY_SECONDS). */
export const MAX_DELAY_SECONDS = 365 * 86400;

/** A delay in seconds as the largest unit that holds it exactly (0 and odd seconds: minutes, rounded). */
export const delayToUnit = (seconds: number): { amount: string; unit: DelayUnit } => {
  if (seconds > 0 && seconds % UNIT_SECONDS.days === 0) return { amount: String(seconds / UNIT_SECONDS.days), unit: "days" };
  if (seconds > 0 && seconds % UNIT_SECONDS.hours === 0) return { amount: String(seconds / UNIT_SECONDS.hours), unit: "hours" };
  return { amount: String(Math.round(seconds / UNIT_SECONDS.minutes)), unit: "minutes" };
};

/** "1.5" hours → 5400 seconds; null when the amount is not a number from 0 up to a year. */
export const delayToSeconds = (amount: string, unit: DelayUnit): number | null => {
  const text = amount.trim().replace(",", ".");
  if (!/^\d+(\.\d+)?$/.test(text)) return null;
  const seconds = Math.round(Number(text) * UNIT_SECONDS[unit]);
  return seconds <= MAX_DELAY_SECONDS ? seconds : null;
};

export type OptionField = { name: string; help: string; kind: "number" | "choice" | "text"; choices: string[] };

/** How to edit an option: a choice list when it has one, a number field when its value is a number. */
export const optionField = (option: { name: string; value: string; help: string; choices?: string[] }): OptionField => {
  const choices = option.choices ?? [];
  if (choices.length) return { name: option.name, help: option.help, kind: "choice", choices };
  const isNumber = option.value.trim() !== "" && Number.isFinite(Number(option.value));
  return { name: option.name, help: option.help, kind: isNumber ? "number" : "text", choices: [] };
};

/** The option's value for the API (text, as the API takes it); null when a number field holds no number. */
export const parseOptionValue = (field: OptionField, value: string): string | null => {
  const text = value.trim();
  if (field.kind === "number") {
    const number = Number(text.replace(",", "."));
    return text !== "" && Number.isFinite(number) ? String(number) : null;
  }
  if (field.kind === "choice") return field.choices.includes(text) ? text : null;
  return text;
};

/** Channel slugs from a comma- or space-separated list, trimmed, without repeats; empty: every channel. */
export const parseChannels = (text: string): string[] => [
  ...new Set(
    text
      .split(/[\s,]+/)
      .map((slug) => slug.trim())
      .filter(Boolean),
  ),
];

export type StepDraft = { position: number; enabled: boolean; amount: string; unit: DelayUnit; templateId: string | null };

export type AutomationDraft = {
  enabled: boolean;
  channels: string;
  options: Record<string, string>;
  quietStart: number | null;
  quietEnd: number | null;
  steps: StepDraft[];
};

export const draftFrom = (automation: Automation): AutomationDraft => ({
  enabled: automation.enabled,
  channels: automation.channels.join(", "),
  options: Object.fromEntries(automation.options.map((option) => [option.name, option.value])),
  quietStart: automation.quietStart,
  quietEnd: automation.quietEnd,
  steps: automation.steps.map((step) => ({
    position: step.position,
    enabled: step.enabled,
    ...delayToUnit(step.delaySeconds),
    templateId: step.templateId,
  })),
});

/** Form fields an error can be shown under: the API's field names (snake or camel case) in camel case. */
export type DraftField = "enabled" | "channels" | "options" | "quietStart" | "quietEnd" | "steps" | `option.${string}` | `step.${number}`;

export const normalizeField = (field: string | null | undefined): string | null => {
  if (!field) return null;
  const step = /^steps\.(\d+)(\.|$)/.exec(field);
  if (step) return `step.${step[1]}`;
  const option = /^options\.(.+)$/.exec(field);
  if (option) return `option.${option[1]}`;
  return field.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
};

const perItem = (field: string): boolean => /^(step\.\d+|option\..+)$/.test(field);

/** Field errors by form field; errors about no field (or one the form does not show) under "form". */
export const errorsByField = (errors: CrmFieldError[], shown: ReadonlySet<string>): Record<string, string[]> => {
  const result: Record<string, string[]> = {};
  for (const error of errors) {
    const field = normalizeField(error.field);
    const key = field && (shown.has(field) || perItem(field)) ? field : "form";
    (result[key] ??= []).push(error.message);
  }
  return result;
};

/** The fields the editor shows errors under. */
export const EDITOR_FIELDS: ReadonlySet<string> = new Set(["enabled", "channels", "options", "quietStart", "quietEnd", "steps"]);

/** Checks the draft and builds the mutation's input, or returns errors keyed as the editor shows them. */
export const toAutomationInput = (
  draft: AutomationDraft,
  automation: Automation,
): { input: CrmAutomationInput; errors: null } | { input: null; errors: Record<string, string[]> } => {
  const errors: Record<string, string[]> = {};
  const options = automation.options.map((option) => {
    const field = optionField(option);
    const value = parseOptionValue(field, draft.options[option.name] ?? option.value);
    if (value === null) {
      errors[`option.${option.name}`] = [field.kind === "choice" ? `Choose one of ${field.choices.join(", ")}.` : "Enter a number."];
    }
    return { name: option.name, value: value ?? "" };
  });
  if ((draft.quietStart === null) !== (draft.quietEnd === null)) {
    errors.quietEnd = ["Quiet hours need both a start and an end."];
  }
  const steps = draft.steps.map((step) => {
    const delaySeconds = delayToSeconds(step.amount, step.unit);
    if (delaySeconds === null) errors[`step.${step.position}`] = ["The delay is a number from 0 up to a year."];
    return { position: step.position, enabled: step.enabled, delaySeconds: delaySeconds ?? 0, templateId: step.templateId };
  });
  if (draft.enabled && !draft.steps.find((step) => step.position === 1)?.templateId) {
    (errors["step.1"] ??= []).push("Choose the first step's template before switching the automation on.");
  }
  if (Object.keys(errors).length) return { input: null, errors };
  return {
    input: {
      enabled: draft.enabled,
      channels: parseChannels(draft.channels),
      options,
      quietStart: draft.quietStart,
      quietEnd: draft.quietEnd,
      steps,
    },
    errors: null,
  };
};
