import { describe, expect, it } from "vitest";

import {
  type Automation, delayToSeconds, delayToUnit, draftFrom, EDITOR_FIELDS, errorsByField, optionField,
  parseChannels, parseOptionValue, toAutomationInput,
} from "./automation-draft";

const stats = {
  scheduled: 0, sent: 0, mails: [], skipped: [], cancelled: [], attributed: [],
  funnel: { delivered: 0, opened: 0, clicked: 0, bounced: 0, complained: 0, unsubscribed: 0 },
};
const automation = (overrides: Partial<Automation> = {}): Automation => ({
  kind: "ABANDONED_CHECKOUT",
  title: "Abandoned checkout",
  trigger: "A checkout with lines, idle…",
  enabled: false,
  enabledAt: null,
  channels: [],
  options: [{ name: "max_age_days", value: "3", help: "Carts idle longer…", choices: [], minimum: 1, maximum: 90 }],
  quietStart: null,
  quietEnd: null,
  steps: [
    { position: 1, enabled: true, delaySeconds: 3600, templateId: null, templateName: null, stats },
    { position: 2, enabled: false, delaySeconds: 86400, templateId: null, templateName: null, stats },
  ],
  ...overrides,
});

describe("delays", () => {
  it("shows seconds in the largest unit that holds them exactly", () => {
    expect(delayToUnit(3600)).toEqual({ amount: "1", unit: "hours" });
    expect(delayToUnit(3 * 86400)).toEqual({ amount: "3", unit: "days" });
    expect(delayToUnit(5400)).toEqual({ amount: "90", unit: "minutes" });
    expect(delayToUnit(0)).toEqual({ amount: "0", unit: "minutes" });
  });

  it("turns an amount and a unit into seconds", () => {
    expect(delayToSeconds("90", "minutes")).toBe(5400);
    expect(delayToSeconds("1.5", "hours")).toBe(5400);
    expect(delayToSeconds("1,5", "hours")).toBe(5400);
    expect(delayToSeconds("7", "days")).toBe(604800);
    expect(delayToSeconds(" 0 ", "days")).toBe(0);
  });

  it("refuses what is not a delay from 0 up to a year", () => {
    expect(delayToSeconds("", "hours")).toBeNull();
    expect(delayToSeconds("-1", "hours")).toBeNull();
    expect(delayToSeconds("abc", "days")).toBeNull();
    expect(delayToSeconds("366", "days")).toBeNull();
    expect(delayToSeconds("365", "days")).toBe(365 * 86400);
  });

  it("round-trips every default delay", () => {
    for (const seconds of [0, 3600, 86400, 3 * 86400, 7 * 86400, 1800]) {
      const { amount, unit } = delayToUnit(seconds);
      expect(delayToSeconds(amount, unit)).toBe(seconds);
    }
  });
});

describe("options", () => {
  it("edits a number as a number and a known choice as a choice", () => {
    expect(optionField({ name: "churn_risk", value: "0.7", help: "" }).kind).toBe("number");
    expect(optionField({ name: "scale", value: "csat", help: "", choices: ["csat", "nps"] })).toMatchObject({
      kind: "choice", choices: ["csat", "nps"] });
    expect(optionField({ name: "other", value: "words", help: "" }).kind).toBe("text");
  });

  it("parses a value for the API, or refuses it", () => {
    const number = optionField({ name: "overdue_days", value: "30", help: "" });
    expect(parseOptionValue(number, " 45 ")).toBe("45");
    expect(parseOptionValue(number, "0,5")).toBe("0.5");
    expect(parseOptionValue(number, "")).toBeNull();
    expect(parseOptionValue(number, "soon")).toBeNull();
    const choice = optionField({ name: "scale", value: "csat", help: "", choices: ["csat", "nps"] });
    expect(parseOptionValue(choice, "nps")).toBe("nps");
    expect(parseOptionValue(choice, "stars")).toBeNull();
  });
});

describe("parseChannels", () => {
  it("reads slugs separated by commas or spaces, once each", () => {
    expect(parseChannels("web, pos  web,,b2b")).toEqual(["web", "pos", "b2b"]);
    expect(parseChannels("  ")).toEqual([]);
  });
});

describe("toAutomationInput", () => {
  it("builds the whole input from the draft", () => {
    const draft = { ...draftFrom(automation()), enabled: true, channels: "web", quietStart: 22, quietEnd: 7 };
    draft.steps[0] = { ...draft.steps[0], templateId: "VGVtcGxhdGU6MQ==", amount: "2", unit: "hours" };
    expect(toAutomationInput(draft, automation())).toEqual({
      errors: null,
      input: {
        enabled: true,
        channels: ["web"],
        options: [{ name: "max_age_days", value: "3" }],
        quietStart: 22,
        quietEnd: 7,
        steps: [
          { position: 1, enabled: true, delaySeconds: 7200, templateId: "VGVtcGxhdGU6MQ==" },
          { position: 2, enabled: false, delaySeconds: 86400, templateId: null },
        ],
      },
    });
  });

  it("names each field that is wrong", () => {
    const draft = { ...draftFrom(automation()), enabled: true, quietStart: 22, options: { max_age_days: "x" } };
    draft.steps[1] = { ...draft.steps[1], amount: "-3" };
    const result = toAutomationInput(draft, automation());
    expect(result.input).toBeNull();
    expect(Object.keys(result.errors ?? {}).sort()).toEqual(["option.max_age_days", "quietEnd", "step.1", "step.2"]);
    expect(result.errors?.["step.1"]).toEqual(["Choose the first step's template before switching the automation on."]);
  });
});

describe("errorsByField", () => {
  it("puts a step's and an option's errors under that step and that option", () => {
    const errors = errorsByField(
      [
        { field: "steps.2.delaySeconds", message: "Too long.", code: "OUT_OF_RANGE" },
        { field: "steps.1.templateId", message: "Choose one.", code: "REQUIRED" },
        { field: "options.churn_risk", message: "0 to 1.", code: "OUT_OF_RANGE" },
        { field: "quietEnd", message: "Both.", code: "REQUIRED" },
      ],
      EDITOR_FIELDS,
    );
    expect(errors).toEqual({
      "step.2": ["Too long."], "step.1": ["Choose one."], "option.churn_risk": ["0 to 1."], quietEnd: ["Both."],
    });
  });

  it("puts the API's errors under the field they name (snake or camel case), the rest under the form", () => {
    const errors = errorsByField(
      [
        { field: "quiet_end", message: "Quiet hours need both.", code: "REQUIRED" },
        { field: "steps", message: "No such email template.", code: "NOT_FOUND" },
        { field: "from_email", message: "Bad address.", code: "INVALID_EMAIL" },
        { field: null, message: "Try again.", code: "INTERNAL_ERROR" },
      ],
      EDITOR_FIELDS,
    );
    expect(errors).toEqual({
      quietEnd: ["Quiet hours need both."],
      steps: ["No such email template."],
      form: ["Bad address.", "Try again."],
    });
  });
});
