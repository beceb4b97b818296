import { describe, expect, it } from "vitest";

import { humanizeCounts, reasonLabel, sentOverSteps, totalOf } from "./automation-stats";

describe("reasonLabel", () => {
  it("words the CRM's reason and state codes", () => {
    expect(reasonLabel("cart_changed")).toBe("Cart changed");
    expect(reasonLabel("no_consent")).toBe("No marketing consent");
    expect(reasonLabel("previous_step_not_mailed")).toBe("Previous step not mailed");
    expect(reasonLabel("unknown")).toBe("Outcome unknown");
  });

  it("falls back to plain words for a code it does not know", () => {
    expect(reasonLabel("new_reason_code")).toBe("New reason code");
    expect(reasonLabel("")).toBe("Other");
  });
});

describe("humanizeCounts", () => {
  it("labels counts, largest first, without zeros", () => {
    expect(humanizeCounts([
      { key: "ordered", count: 2 },
      { key: "cart_changed", count: 5 },
      { key: "returned", count: 0 },
    ])).toEqual([
      { label: "Cart changed", count: 5 },
      { label: "Ordered since", count: 2 },
    ]);
  });

  it("totals counts and steps", () => {
    expect(totalOf([{ key: "a", count: 2 }, { key: "b", count: 3 }])).toBe(5);
    expect(sentOverSteps([{ stats: { sent: 4 } }, { stats: { sent: 1 } }])).toBe(5);
  });
});
