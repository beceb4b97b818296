/**
 * The segment rule language's fields and operators, as the server defines them
 * in saleor_crm_plugin/segments/rules.py (FIELDS, OPERATORS). The server stays
 * the judge: it validates every rule and reports the offending path.
 */

export type FieldKind = "integer" | "number" | "date" | "group" | "boolean" | "consent" | "set" | "country";

/** `percent`: a 0–1 share typed as a percentage (0–100) in the builder. */
export type RuleField = {
  name: string; label: string; kind: FieldKind; money?: boolean; integerItems?: boolean; percent?: boolean;
};

export const RULE_FIELDS: RuleField[] = [
  { name: "order_count", label: "Number of orders", kind: "integer" },
  { name: "cancelled_count", label: "Cancelled orders", kind: "integer" },
  { name: "revenue", label: "Revenue", kind: "number", money: true },
  { name: "average_order_value", label: "Average order value", kind: "number", money: true },
  { name: "clv", label: "12-month customer lifetime value", kind: "number", money: true },
  { name: "churn_risk", label: "Churn risk (0–1)", kind: "number" },
  { name: "expected_orders_90", label: "Expected orders in 90 days", kind: "number" },
  { name: "response_probability", label: "Likelihood to order (%, nightly propensity)", kind: "number", percent: true },
  { name: "first_order_at", label: "First order", kind: "date" },
  { name: "last_order_at", label: "Last order", kind: "date" },
  { name: "rfm_group", label: "RFM group", kind: "group" },
  { name: "marketing_consent", label: "Marketing consent", kind: "consent" },
  { name: "is_guest", label: "Guest (no account)", kind: "boolean" },
  { name: "category_bought", label: "Bought in category", kind: "set" },
  { name: "product_bought", label: "Bought product (Saleor product number)", kind: "set", integerItems: true },
  { name: "channel", label: "Ordered in channel", kind: "set" },
  { name: "country", label: "Country (ISO code)", kind: "country" },
];

export const OPERATORS: Record<FieldKind, string[]> = {
  integer: ["gte", "gt", "eq", "ne", "lt", "lte", "between"],
  number: ["gte", "gt", "eq", "ne", "lt", "lte", "between"],
  date: ["within_last", "not_within_last", "before", "after", "between", "is_empty", "is_not_empty"],
  group: ["in", "not_in", "eq", "ne"],
  boolean: ["eq", "is_empty"],
  consent: ["eq", "ne", "in", "not_in", "is_empty"],
  set: ["includes", "excludes"],
  country: ["eq", "ne", "in", "not_in", "is_empty"],
};

export const OPERATOR_LABELS: Record<string, string> = {
  eq: "is",
  ne: "is not",
  gt: "more than",
  gte: "at least",
  lt: "less than",
  lte: "at most",
  between: "between",
  within_last: "within the last",
  not_within_last: "not within the last",
  before: "before",
  after: "on or after",
  is_empty: "is empty",
  is_not_empty: "is set",
  in: "is one of",
  not_in: "is none of",
  includes: "includes any of",
  excludes: "excludes all of",
};

/** Lower-case, as the rule language spells them (rfm.GROUPS). */
export const RFM_GROUPS = [
  "champions",
  "loyal",
  "potential_loyalist",
  "new",
  "promising",
  "needs_attention",
  "about_to_sleep",
  "cant_lose",
  "at_risk",
  "hibernating",
  "lost",
];

export const CONSENT_VALUES = ["subscribed", "unsubscribed", "pending", "never_asked"];
export const SPAN_UNITS = ["days", "weeks", "months", "years"] as const;

export const fieldByName = (name: string): RuleField =>
  RULE_FIELDS.find((field) => field.name === name) ?? RULE_FIELDS[0];
