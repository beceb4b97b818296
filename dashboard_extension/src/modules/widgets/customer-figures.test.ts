import { describe, expect, it } from "vitest";

import { mainCurrency, recommendationChannel } from "./customer-figures";

describe("mainCurrency", () => {
  it("picks the currency with the most revenue", () => {
    const spend = [
      { currency: "EUR", revenue: { amount: 50 } },
      { currency: "USD", revenue: { amount: 80 } },
    ];
    expect(mainCurrency(spend, [])).toBe("USD");
  });

  it("falls back to analytics, then to none", () => {
    expect(mainCurrency([], [{ currency: "PLN", clv12m: { amount: 3 } }])).toBe("PLN");
    expect(mainCurrency([], [])).toBeNull();
  });
});

describe("recommendationChannel", () => {
  it("keeps a valid choice, else takes the first channel", () => {
    expect(recommendationChannel(["a", "b"], "b")).toBe("b");
    expect(recommendationChannel(["a", "b"], "z")).toBe("a");
    expect(recommendationChannel([], null)).toBeNull();
  });
});
