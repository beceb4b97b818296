/** Rules and filters the widgets apply to what the API returns. */

type Reasoned = { reason: string };

/** "Also bought" as staff read it: only products actually ordered together with this one. The storefront list
 * is topped up with similar products and best-sellers when sales are few; the widget shows those under
 * "Similar" and says when nothing has been bought together yet. */
export const boughtTogether = <T extends Reasoned>(items: T[]): T[] =>
  items.filter((item) => item.reason === "BOUGHT_TOGETHER");

/** Customers the home widget counts as at risk: the RFM groups that used to buy and have gone quiet. */
export const AT_RISK_RULE = JSON.stringify({ field: "rfm_group", op: "in", value: ["at_risk", "cant_lose"] });
