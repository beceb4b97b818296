import { describe, expect, it } from "vitest";

import {
  formatCsat, formatMonth, formatNps, formatSatisfied, formatScore, monthlyPoints, monthsSince, npsTone, scoreTone,
} from "./satisfaction";

describe("satisfaction figures", () => {
  it("shows CSAT out of 5 in the locale", () => {
    expect(formatCsat(4.25, "en")).toBe("4.3 / 5");
    expect(formatCsat(4, "de")).toBe("4,0 / 5");
    expect(formatCsat(null)).toBe("—");
  });

  it("shows NPS with its sign", () => {
    expect(formatNps(35, "en")).toBe("+35");
    expect(formatNps(-12.4, "en")).toBe("-12");
    expect(formatNps(0, "en")).toBe("0");
    expect(formatNps(undefined)).toBe("—");
  });

  it("reads the satisfied figure as a percentage", () => {
    expect(formatSatisfied(80, "en")).toBe("80%");
    expect(formatSatisfied(null)).toBe("—");
  });

  it("words one answer and colours it", () => {
    expect(formatScore("CSAT", 4)).toBe("CSAT 4 / 5");
    expect(formatScore("NPS", 9)).toBe("NPS 9 / 10");
    expect([scoreTone("CSAT", 5), scoreTone("CSAT", 3), scoreTone("CSAT", 1)]).toEqual(["success", "warning", "critical"]);
    expect([scoreTone("NPS", 10), scoreTone("NPS", 7), scoreTone("NPS", 6)]).toEqual(["success", "warning", "critical"]);
    expect([npsTone("PROMOTER"), npsTone("PASSIVE"), npsTone("DETRACTOR"), npsTone(null)]).toEqual(
      ["success", "warning", "critical", "neutral"]);
  });

  it("names months in UTC, whatever the browser's zone", () => {
    expect(formatMonth("2026-11-01", "en")).toBe("Nov 2026");
    expect(monthlyPoints([{ month: "2026-01-01", csatAverage: 4.5, nps: null }], "en")).toEqual([
      { label: "Jan 2026", csat: 4.5, nps: null },
    ]);
  });

  it("starts the last 12 months at the first of the month 11 months back", () => {
    expect(monthsSince(12, new Date("2026-11-29T19:00:00Z"))).toBe("2025-12-01T00:00:00.000Z");
    expect(monthsSince(1, new Date("2026-01-15T00:00:00Z"))).toBe("2026-01-01T00:00:00.000Z");
  });
});
