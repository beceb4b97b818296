import { describe, expect, it } from "vitest";

import {
  formatDate, formatDuration, formatHour, formatMoney, formatNumber, formatPercent, humanize, riskLevel,
} from "./format";

describe("formatMoney", () => {
  it("formats with the currency in the locale", () => {
    expect(formatMoney(1234.5, "USD", "en-US")).toBe("$1,234.50");
    expect(formatMoney(1234.5, "EUR", "de-DE")).toBe("1.234,50\u00a0€");
  });

  it("keeps the figure when the currency code is unknown to Intl", () => {
    expect(formatMoney(10, "XX1", "en")).toBe("10 XX1");
  });

  it("shows a dash for no figure", () => {
    expect(formatMoney(null, "USD")).toBe("—");
    expect(formatMoney(Number.NaN, "USD")).toBe("—");
  });
});

describe("formatPercent", () => {
  it("formats a share", () => {
    expect(formatPercent(0.4567, "en")).toBe("45.7%");
    expect(formatPercent(1, "en")).toBe("100%");
    expect(formatPercent(0.25, "de")).toBe("25\u00a0%");
  });

  it("shows a dash for no figure", () => {
    expect(formatPercent(undefined)).toBe("—");
  });
});

describe("other formats", () => {
  it("formats numbers and dates", () => {
    expect(formatNumber(12345.678, "en", 1)).toBe("12,345.7");
    expect(formatDate("2026-03-04T10:00:00Z", "en-GB")).toBe("4 Mar 2026");
    expect(formatDate("not a date")).toBe("—");
  });

  it("humanizes enum codes", () => {
    expect(humanize("cant_lose")).toBe("Can't lose");
    expect(humanize("POTENTIAL_LOYALIST")).toBe("Potential loyalists");
  });

  it.each([
    [0.1, "low"],
    [0.5, "medium"],
    [0.9, "high"],
    [null, "unknown"],
  ])("risk %s is %s", (risk, level) => expect(riskLevel(risk)).toBe(level));
});

describe("formatDuration", () => {
  it("uses the largest sensible unit in the locale", () => {
    expect(formatDuration(45, "en")).toBe("45 sec");
    expect(formatDuration(720, "en")).toBe("12 min");
    expect(formatDuration(12600, "en")).toBe("3.5 hr");
    expect(formatDuration(172800, "en")).toBe("2 days");
    expect(formatDuration(null)).toBe("—");
    expect(formatDuration(-5)).toBe("—");
  });
});

describe("formatHour", () => {
  it("writes an hour of the day as the locale does", () => {
    expect(formatHour(8, "en")).toBe("8 AM");
    expect(formatHour(20, "de")).toBe("20 Uhr");
  });
});
