/** Segment rules (previewed, never saved) that count a product's buyers. */

export const productBuyerRules = (productPk: number) => {
  const bought = { field: "product_bought", op: "includes", value: [productPk] };
  return {
    buyers: JSON.stringify(bought),
    // Buyers who ordered more than once, anything: the closest the rule language gets to a repeat rate.
    repeatBuyers: JSON.stringify({ and: [bought, { field: "order_count", op: "gte", value: 2 }] }),
  };
};

/** Customers the home widget counts as at risk: the RFM groups that used to buy and have gone quiet. */
export const AT_RISK_RULE = JSON.stringify({ field: "rfm_group", op: "in", value: ["at_risk", "cant_lose"] });
