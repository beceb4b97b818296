import { describe, expect, it } from "vitest";

import { retentionShade, revenueRows, rfmDistribution, RFM_GROUP_ORDER, totalsByCurrency } from "./rfm";

const STATS = [
  { group: "LOYAL" as const, currency: "USD", customers: 4, revenue: 400, clv12m: 120 },
  { group: "CHAMPIONS" as const, currency: "USD", customers: 2, revenue: 900, clv12m: 300 },
  { group: "LOST" as const, currency: "EUR", customers: 7, revenue: 70, clv12m: 1 },
];

describe("rfmDistribution", () => {
  it("lists every group in order for one currency", () => {
    const bars = rfmDistribution(STATS, "USD");
    expect(bars.map((bar) => bar.group)).toEqual(RFM_GROUP_ORDER);
    expect(bars[0]).toEqual({ group: "CHAMPIONS", customers: 2, revenue: 900, clv12m: 300 });
    expect(bars[1].customers).toBe(4);
    expect(bars.find((bar) => bar.group === "LOST")?.customers).toBe(0);
  });
});

describe("totalsByCurrency", () => {
  it("never adds different currencies", () => {
    expect(totalsByCurrency(STATS)).toEqual([
      { currency: "USD", customers: 6, revenue: 1300, clv12m: 420 },
      { currency: "EUR", customers: 7, revenue: 70, clv12m: 1 },
    ]);
  });

  it("is empty without data", () => {
    expect(totalsByCurrency([])).toEqual([]);
  });
});

describe("retentionShade", () => {
  it("grows with retention and stays translucent", () => {
    expect(retentionShade(0)).toBe(0);
    expect(retentionShade(0.5)).toBeGreaterThan(retentionShade(0.1));
    expect(retentionShade(1)).toBeLessThanOrEqual(0.6);
    expect(retentionShade(Number.NaN)).toBe(0);
  });
});

describe("revenueRows", () => {
  const REVENUE = [
    { currency: "EUR", customers: 7, orders: 9, amount: 70 },
    { currency: "USD", customers: 6, orders: 11, amount: 1300 },
  ];

  it("shows revenue before any customer is scored (no RFM groups yet), CLV unknown", () => {
    expect(revenueRows(REVENUE, [])).toEqual([
      { currency: "USD", customers: 6, orders: 11, amount: 1300, clv12m: null },
      { currency: "EUR", customers: 7, orders: 9, amount: 70, clv12m: null },
    ]);
  });

  it("adds each currency's 12-month CLV once scored", () => {
    expect(revenueRows(REVENUE, STATS).map((row) => [row.currency, row.clv12m])).toEqual([["USD", 420], ["EUR", 1]]);
  });
});
