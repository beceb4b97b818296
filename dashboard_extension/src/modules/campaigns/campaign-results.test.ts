import { describe, expect, it } from "vitest";

import {
  countOf, DELIVERY_REPORTS_NOTES, formatDifference, formatPerRecipient, formatRelative, funnelRows, healthStatus, liftTimingNote,
  perTenThousand, VERDICT_LABELS, verdictSentence,
} from "./campaign-results";

const FUNNEL = { deliveryReports: "RECEIVED" as const, delivered: 90, opened: 60, clicked: 9, bounced: 5, deferred: 1, rejected: 0, complained: 1, unsubscribed: 2 };

describe("funnelRows", () => {
  it("takes delivered over sent, opens and clicks over delivered, and flags opens", () => {
    const { steps, problems } = funnelRows(FUNNEL, 100);
    expect(steps.map((row) => [row.key, row.count, row.share, row.base])).toEqual([
      ["delivered", 90, 0.9, "sent"],
      ["opened", 60, 60 / 90, "delivered"],
      ["clicked", 9, 0.1, "delivered"],
    ]);
    expect(steps[1].caveat).toMatch(/privacy/);
    expect(steps.filter((row) => row.caveat)).toHaveLength(1);
    expect(problems.find((row) => row.key === "bounced")).toMatchObject({ count: 5, share: 0.05, base: "sent" });
    expect(problems.find((row) => row.key === "unsubscribed")).toMatchObject({ share: 2 / 90, base: "delivered" });
  });

  it("over a provider that reports nothing, says so instead of 0% and rates clicks against sent", () => {
    const smtp = { ...FUNNEL, deliveryReports: "NOT_REPORTED" as const, delivered: 0, opened: 0, clicked: 3, bounced: 0 };
    const { steps, problems } = funnelRows(smtp, 40);
    expect(steps.map((row) => [row.key, row.count, row.share, row.base])).toEqual([
      ["delivered", null, null, "sent"],
      ["opened", null, null, "sent"],
      ["clicked", 3, 3 / 40, "sent"],
    ]);
    expect(problems.every((row) => row.count === null && row.share === null)).toBe(true);
    expect(DELIVERY_REPORTS_NOTES.NOT_REPORTED).toMatch(/does not report deliveries/);
    expect(DELIVERY_REPORTS_NOTES.RECEIVED).toBeNull();
  });

  it("while the provider's first report is awaited, the same unknowns", () => {
    const { steps } = funnelRows({ ...FUNNEL, deliveryReports: "AWAITED", delivered: 0, clicked: 1 }, 10);
    expect(steps.map((row) => row.count)).toEqual([null, null, 1]);
    expect(steps[2].share).toBe(0.1);
  });

  it("has no share before anything was sent or delivered", () => {
    const { steps } = funnelRows({ ...FUNNEL, delivered: 0 }, 0);
    expect(steps.every((row) => row.share === null)).toBe(true);
  });
});

describe("healthStatus", () => {
  const health = (window: number, bounceRate: number, complaintRate: number) =>
    ({ window, bounced: 0, complained: 0, bounceRate, complaintRate, bounceRateMax: 0.05, complaintRateMax: 0.001,
       minimumSample: 100 });

  it("waits for 100 sent mails", () => {
    expect(healthStatus(health(99, 0.5, 0.5))).toEqual({ judged: false, bounce: "waiting", complaint: "waiting" });
  });

  it("compares with 5% bounces and 10 complaints per 10,000", () => {
    expect(healthStatus(health(200, 0.01, 0.0001))).toMatchObject({ bounce: "ok", complaint: "ok" });
    expect(healthStatus(health(200, 0.03, 0.0006))).toMatchObject({ bounce: "near", complaint: "near" });
    expect(healthStatus(health(200, 0.05, 0.001))).toMatchObject({ bounce: "over", complaint: "over" });
  });

  it("uses the shop's own limits", () => {
    const strict = { ...health(500, 0.03, 0.0003), bounceRateMax: 0.02, complaintRateMax: 0.0002, minimumSample: 400 };
    expect(healthStatus(strict)).toEqual({ judged: true, bounce: "over", complaint: "over" });
    expect(healthStatus({ ...strict, window: 399 }).judged).toBe(false);
  });

  it("words complaints per 10,000", () => expect(perTenThousand(0.0012)).toBe("12"));
});

describe("per-recipient figures", () => {
  it("shows orders per 100 recipients and money per recipient", () => {
    expect(formatPerRecipient(0.1234, { kind: "orders" })).toBe("12.3");
    expect(formatPerRecipient(0.15, { kind: "orders" })).toBe("15.0");
    expect(formatPerRecipient(1.5, { kind: "money", currency: "USD" }, "en-US")).toBe("$1.50");
    expect(formatPerRecipient(null, { kind: "orders" })).toBe("—");
  });

  it("gives the difference with its sign and its 95% interval", () => {
    expect(formatDifference({ estimate: 0.05, low: -0.012, high: 0.112 }, { kind: "orders" }))
      .toBe("+5.0 (95% interval -1.2 to +11.2)");
    expect(formatDifference({ estimate: 1.2, low: 0.3, high: 2.1 }, { kind: "money", currency: "EUR" }, "en-US"))
      .toBe("+€1.20 (95% interval +€0.30 to +€2.10)");
    expect(formatDifference(null, { kind: "orders" })).toBe("—");
  });

  it("gives the relative lift as a signed percentage", () => {
    expect(formatRelative({ estimate: 0.5, low: -0.1, high: 1.25 })).toBe("+50% (95% interval -10% to +125%)");
    expect(formatRelative(null)).toBe("—");
  });
});

describe("verdicts", () => {
  it("has words for every verdict", () => {
    expect(VERDICT_LABELS.TOO_SMALL).toBe("Too small to tell");
    expect(verdictSentence("POSITIVE", "orders")).toMatch(/^The mail raised orders/);
    expect(verdictSentence("NEGATIVE", "revenue in EUR")).toMatch(/lowered revenue in EUR/);
    expect(verdictSentence("NO_CLEAR_EFFECT", "orders")).toMatch(/includes zero/);
    expect(verdictSentence("TOO_SMALL", "orders")).toMatch(/^Too small to tell/);
  });

  it("says the figures are provisional until the window ends", () => {
    const lift = { windowStart: "2026-03-01T10:00:00Z", windowEnd: "2026-03-06T10:00:00Z" };
    expect(liftTimingNote({ ...lift, final: false }, "en-US")).toMatch(/^Provisional until Mar 6, 2026/);
    expect(liftTimingNote({ ...lift, final: true }, "en-US")).toMatch(/^Final: orders from Mar 1, 2026 until Mar 6, 2026/);
    expect(liftTimingNote({ windowStart: null, windowEnd: null, final: false })).toMatch(/once the campaign starts/);
  });
});

describe("countOf", () => {
  it("gives the count, its base and its share", () => {
    expect(countOf(3, 250)).toBe("3 of 250 (1.2%)");
    expect(countOf(0, 0)).toBe("0 of 0");
  });
});
