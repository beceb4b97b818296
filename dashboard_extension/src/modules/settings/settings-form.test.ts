import { describe, expect, it } from "vitest";

import {
  clearSecret, draftFrom, errorsByField, hasChanges, NUMBER_FIELDS, providerKind, replaceSecret, SECRET_FIELDS,
  SECTIONS, type Settings, testMailErrors, TEXT_FIELDS, toSettingsInput,
} from "./settings-form";
import { FIELD_MESSAGES } from "./settings-messages";

const number = (value: number, pinned = false) => ({ value, default: value, minimum: 0, maximum: 1000, pinned });
const text = (value: string, pinned = false) => ({ value, maxLength: 255, pinned });
const secret = (isSet: boolean, pinned = false) => ({ isSet, pinned });

const settings = (overrides: Partial<Settings> = {}): Settings => ({
  ...(Object.fromEntries(NUMBER_FIELDS.map((field) => [field, number(5)])) as Pick<Settings, (typeof NUMBER_FIELDS)[number]>),
  ...(Object.fromEntries(TEXT_FIELDS.map((field) => [field, text("")])) as Pick<Settings, (typeof TEXT_FIELDS)[number]>),
  emailApiKey: secret(true),
  smtpUrl: secret(false),
  trackingWebhookSecret: secret(false),
  trackingWebhookUrl: null,
  schedules: { sweepIntervalSeconds: 60, campaignDispatchSeconds: 60, automationScanSeconds: 60, trainingHour: 3 },
  ...overrides,
});

describe("settings draft", () => {
  it("shows every setting in exactly one section, each with words", () => {
    const shown = SECTIONS.flatMap((section) => section.fields);
    expect(new Set(shown).size).toBe(shown.length);
    expect([...shown].sort()).toEqual([...NUMBER_FIELDS, ...TEXT_FIELDS, ...SECRET_FIELDS].sort());
    for (const field of shown) expect(FIELD_MESSAGES[field].label).toBeTruthy();
  });

  it("sends nothing when nothing changed, and a set secret is kept (never sent)", () => {
    const saved = settings({ fromEmail: text("news@shop.example.com") });
    const draft = draftFrom(saved);
    expect(draft.secrets.emailApiKey).toEqual({ isSet: true, replacing: false, value: "", clear: false });
    expect(draft.secrets.smtpUrl.replacing).toBe(true); // nothing saved: an empty field to type one in
    expect(toSettingsInput(draft, saved)).toEqual({ input: {}, errors: [] });
    expect(hasChanges(draft, saved)).toBe(false);
  });

  it("sends only what changed: numbers as numbers, texts as typed", () => {
    const saved = settings();
    const draft = draftFrom(saved);
    draft.numbers.sendRatePerMinute = " 120 ";
    draft.texts.fromEmail = "news@shop.example.com";
    draft.texts.emailProvider = "smtp";
    draft.secrets.smtpUrl = { ...draft.secrets.smtpUrl, value: "smtp://mail.example.com:25" };
    expect(toSettingsInput(draft, saved)).toEqual({
      input: { sendRatePerMinute: 120, fromEmail: "news@shop.example.com", emailProvider: "smtp",
        smtpUrl: "smtp://mail.example.com:25" },
      errors: [],
    });
  });

  it("replaces, keeps or removes a saved secret", () => {
    const saved = settings();
    const draft = draftFrom(saved);
    const replacing = replaceSecret(draft.secrets.emailApiKey, true);
    expect(toSettingsInput({ ...draft, secrets: { ...draft.secrets, emailApiKey: replacing } }, saved).input).toEqual({});
    const typed = { ...replacing, value: "new-key" };
    expect(toSettingsInput({ ...draft, secrets: { ...draft.secrets, emailApiKey: typed } }, saved).input).toEqual({
      emailApiKey: "new-key",
    });
    const kept = replaceSecret(typed, false);
    expect(kept).toEqual({ isSet: true, replacing: false, value: "", clear: false });
    const removed = clearSecret(draft.secrets.emailApiKey);
    expect(toSettingsInput({ ...draft, secrets: { ...draft.secrets, emailApiKey: removed } }, saved).input).toEqual({
      emailApiKey: "",
    });
  });

  it("refuses a number that is not whole by its field, with the API's code", () => {
    const saved = settings();
    const draft = draftFrom(saved);
    draft.numbers.frequencyCapDays = "1.5";
    draft.numbers.sendRatePerMinute = "";
    const { errors } = toSettingsInput(draft, saved);
    expect(errors.map((error) => [error.field, error.code])).toEqual([
      ["sendRatePerMinute", "not_a_number"], ["frequencyCapDays", "not_a_number"],
    ]);
    expect(hasChanges(draft, saved)).toBe(true);
  });

  it("never sends a pinned setting", () => {
    const saved = settings({ fromEmail: text("pinned@example.com", true), smtpUrl: secret(true, true) });
    const draft = draftFrom(saved);
    draft.texts.fromEmail = "other@example.com";
    draft.secrets.smtpUrl = clearSecret(draft.secrets.smtpUrl);
    expect(toSettingsInput(draft, saved).input).toEqual({});
  });
});

describe("errors", () => {
  it("puts each API error by its field, snake or camel, and the rest under the form", () => {
    const byField = errorsByField([
      { field: "smtpUrl", code: "INVALID_SMTP_URL", message: "SMTP server is not valid" },
      { field: "from_email", code: "INVALID_EMAIL", message: "bad sender" },
      { field: null, code: "INVALID", message: "whole" },
      { field: "unknown", code: "INVALID", message: "no such setting" },
    ]);
    expect(Object.keys(byField).sort()).toEqual(["form", "fromEmail", "smtpUrl"]);
    expect(byField.form.map((error) => error.message)).toEqual(["whole", "no such setting"]);
  });

  it("keeps a test mail's address error apart from a setting it names", () => {
    const byField = testMailErrors([
      { field: "to", code: "INVALID_EMAIL", message: "bad address" },
      { field: "smtpUrl", code: "NOT_CONFIGURED", message: "set the SMTP server" },
      { field: null, code: "RATE_LIMITED", message: "later" },
    ]);
    expect(Object.keys(byField).sort()).toEqual(["form", "smtpUrl", "to"]);
  });

  it("knows which credential a provider needs", () => {
    expect([providerKind(""), providerKind(" smtp "), providerKind("postmark")]).toEqual(["django", "smtp", "esp"]);
  });
});
