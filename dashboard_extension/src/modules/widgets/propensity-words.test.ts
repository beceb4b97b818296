import { describe, expect, it } from "vitest";

import { basisInWords, chanceInWords, reasonsInWords } from "./propensity-words";

const PROPENSITY = {
  probability: 0.342,
  horizonDays: 90,
  confidence: "high",
  method: "boosting",
  reasons: [
    { name: "frequency", label: "repeat orders", value: 0.2 },
    { name: "recency_weeks", label: "weeks since the last order", value: -1.2 },
    { name: "mails_clicked", label: "mails clicked", value: 0.5 },
    { name: "tenure_weeks", label: "weeks since the first order", value: 0 },
    { name: "subscribed", label: "", value: 0.05 },
  ],
};

describe("propensity in words", () => {
  it("gives the chance over the horizon", () => {
    expect(chanceInWords(PROPENSITY)).toBe("34% chance of ordering within 90 days");
  });

  it("says how far to trust it", () => {
    expect(basisInWords(PROPENSITY)).toBe("High confidence, from a model of the shop's customers");
    expect(basisInWords({ ...PROPENSITY, confidence: "low", method: "base_rate" })).toMatch(/^Low confidence, from the rate/);
    expect(basisInWords({ ...PROPENSITY, method: "new_method" })).toBe("High confidence, from new method");
  });

  it("words the strongest reasons first, raising or lowering, leaving out none-effects", () => {
    expect(reasonsInWords(PROPENSITY.reasons)).toEqual([
      "Weeks since the last order lowers the chance a lot (odds ×0.3)",
      "Mails clicked raises the chance (odds ×1.6)",
      "Repeat orders raises the chance a little (odds ×1.2)",
    ]);
    expect(reasonsInWords(PROPENSITY.reasons, 10)).toHaveLength(4);
    expect(reasonsInWords(PROPENSITY.reasons, 10)[3]).toBe("Subscribed raises the chance a little (odds ×1.1)");
  });
});
