import { describe, expect, it } from "vitest";

import { AT_RISK_RULE, productBuyerRules } from "./product-rules";

describe("productBuyerRules", () => {
  it("counts buyers and buyers with two or more orders", () => {
    const rules = productBuyerRules(12);
    expect(JSON.parse(rules.buyers)).toEqual({ field: "product_bought", op: "includes", value: [12] });
    expect(JSON.parse(rules.repeatBuyers)).toEqual({
      and: [
        { field: "product_bought", op: "includes", value: [12] },
        { field: "order_count", op: "gte", value: 2 },
      ],
    });
  });

  it("defines at risk by RFM group", () => {
    expect(JSON.parse(AT_RISK_RULE)).toEqual({ field: "rfm_group", op: "in", value: ["at_risk", "cant_lose"] });
  });
});
