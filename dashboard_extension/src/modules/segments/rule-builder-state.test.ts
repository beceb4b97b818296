import { describe, expect, it } from "vitest";

import {
  buildRule,
  builderReducer,
  conditionIdForPath,
  initialBuilderState,
  newCondition,
  type BuilderState,
  type Condition,
} from "./rule-builder-state";

const withConditions = (...patches: Partial<Condition>[]): BuilderState => ({
  match: "and",
  nextId: patches.length + 1,
  conditions: patches.map((patch, index) => ({ ...newCondition(index + 1, patch.field), ...patch })),
});

describe("buildRule", () => {
  it("takes the likelihood to order as a percentage and sends the 0–1 share", () => {
    expect(buildRule(withConditions({ field: "response_probability", op: "gte", value: "33.3" })).rule).toEqual({
      field: "response_probability", op: "gte", value: 0.333,
    });
    expect(buildRule(withConditions({ field: "response_probability", op: "between", value: "10", value2: "100" })).rule)
      .toEqual({ field: "response_probability", op: "between", value: [0.1, 1] });
    const result = buildRule(withConditions({ field: "response_probability", op: "lt", value: "150" }));
    expect(result.errors[0]?.message).toBe("Enter a percentage from 0 to 100.");
  });

  it("gives a bare condition for one condition", () => {
    expect(buildRule(withConditions({ field: "order_count", op: "gte", value: "3" }))).toEqual({
      rule: { field: "order_count", op: "gte", value: 3 },
      errors: [],
    });
  });

  it("combines several conditions with the chosen match", () => {
    const state = {
      ...withConditions(
        { field: "revenue", op: "gt", value: "100", currency: "usd" },
        { field: "last_order_at", op: "within_last", value: "30", unit: "days" },
        { field: "rfm_group", op: "in", choices: ["champions", "loyal"] },
      ),
      match: "or" as const,
    };
    expect(buildRule(state).rule).toEqual({
      or: [
        { field: "revenue", currency: "USD", op: "gt", value: 100 },
        { field: "last_order_at", op: "within_last", value: { days: 30 } },
        { field: "rfm_group", op: "in", value: ["champions", "loyal"] },
      ],
    });
  });

  it("writes between, dates, sets, consent and booleans as the server reads them", () => {
    const { rule } = buildRule(
      withConditions(
        { field: "order_count", op: "between", value: "2", value2: "5" },
        { field: "first_order_at", op: "before", value: "2026-01-31" },
        { field: "product_bought", op: "includes", value: "12, 15" },
        { field: "category_bought", op: "excludes", value: "Vinyl, Posters" },
        { field: "marketing_consent", op: "eq", choices: ["subscribed"], channel: "default-channel" },
        { field: "is_guest", op: "eq", value: "false" },
        { field: "country", op: "in", value: "de, fr" },
        { field: "last_order_at", op: "is_empty" },
      ),
    );
    expect(rule).toEqual({
      and: [
        { field: "order_count", op: "between", value: [2, 5] },
        { field: "first_order_at", op: "before", value: "2026-01-31T00:00:00+00:00" },
        { field: "product_bought", op: "includes", value: [12, 15] },
        { field: "category_bought", op: "excludes", value: ["Vinyl", "Posters"] },
        { field: "marketing_consent", op: "eq", value: "subscribed", channel: "default-channel" },
        { field: "is_guest", op: "eq", value: false },
        { field: "country", op: "in", value: ["DE", "FR"] },
        { field: "last_order_at", op: "is_empty" },
      ],
    });
  });

  it("reports each incomplete condition instead of sending a broken rule", () => {
    const result = buildRule(
      withConditions(
        { field: "order_count", op: "gte", value: "" },
        { field: "order_count", op: "gte", value: "2.5" },
        { field: "rfm_group", op: "in", choices: [] },
        { field: "revenue", op: "gt", value: "1", currency: "dollars" },
        { field: "country", op: "eq", value: "DE, FR" },
      ),
    );
    expect(result.rule).toBeNull();
    expect(result.errors.map((error) => error.id)).toEqual([1, 2, 3, 4, 5]);
    expect(result.errors[1].message).toContain("whole number");
  });

  it("needs at least one condition", () => {
    expect(buildRule({ match: "and", conditions: [], nextId: 1 }).errors).toHaveLength(1);
  });
});

describe("builderReducer", () => {
  it("adds, updates and removes conditions", () => {
    let state = initialBuilderState();
    state = builderReducer(state, { type: "add", field: "rfm_group", patch: { choices: ["lost"] } });
    expect(state.conditions[1]).toMatchObject({ id: 2, field: "rfm_group", op: "in", choices: ["lost"], touched: false });
    state = builderReducer(state, { type: "update", id: 1, patch: { value: "4" } });
    expect(state.conditions[0]).toMatchObject({ value: "4", touched: true });
    state = builderReducer(state, { type: "remove", id: 2 });
    expect(state.conditions.map((condition) => condition.id)).toEqual([1]);
  });

  it("resets operator and values when the field changes", () => {
    let state = builderReducer(initialBuilderState(), { type: "update", id: 1, patch: { op: "between", value: "3" } });
    state = builderReducer(state, { type: "update", id: 1, patch: { field: "last_order_at" } });
    expect(state.conditions[0]).toMatchObject({ field: "last_order_at", op: "within_last", value: "" });
  });
});

describe("conditionIdForPath", () => {
  it("finds the condition a server error names", () => {
    const state = withConditions({ field: "order_count" }, { field: "revenue" });
    expect(conditionIdForPath(state, "and.1.value")).toBe(2);
    expect(conditionIdForPath(withConditions({ field: "order_count" }), "value")).toBe(1);
    expect(conditionIdForPath(state, null)).toBeUndefined();
  });
});
