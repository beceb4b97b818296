import { describe, expect, it } from "vitest";

import { AT_RISK_RULE, boughtTogether } from "./product-rules";

describe("boughtTogether", () => {
  it("keeps only products ordered together, in their order", () => {
    const items = [
      { productId: "a", reason: "BOUGHT_TOGETHER" },
      { productId: "b", reason: "SIMILAR" },
      { productId: "c", reason: "BOUGHT_TOGETHER" },
      { productId: "d", reason: "POPULAR_IN_CATEGORY" },
    ];
    expect(boughtTogether(items).map((item) => item.productId)).toEqual(["a", "c"]);
  });

  it("is empty when the list is only a fallback", () => {
    expect(boughtTogether([{ reason: "SIMILAR" }, { reason: "POPULAR_IN_CHANNEL" }])).toEqual([]);
  });
});

describe("AT_RISK_RULE", () => {
  it("defines at risk by RFM group", () => {
    expect(JSON.parse(AT_RISK_RULE)).toEqual({ field: "rfm_group", op: "in", value: ["at_risk", "cant_lose"] });
  });
});
