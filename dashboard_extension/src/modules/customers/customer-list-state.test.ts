import { describe, expect, it } from "vitest";

import { initialListState, listReducer, pageNumber, PAGE_SIZE, toQueryVariables } from "./customer-list-state";

describe("customer list state", () => {
  it("starts on the first page, newest orders first", () => {
    expect(toQueryVariables(initialListState())).toEqual({
      first: PAGE_SIZE,
      after: null,
      filter: null,
      sortBy: { field: "LAST_ORDER", direction: "DESC" },
    });
  });

  it("pages forward and back by cursor", () => {
    let state = listReducer(initialListState(), { type: "next", endCursor: "c1" });
    state = listReducer(state, { type: "next", endCursor: "c2" });
    expect(pageNumber(state)).toBe(3);
    expect(toQueryVariables(state).after).toBe("c2");
    state = listReducer(state, { type: "previous" });
    expect(toQueryVariables(state).after).toBe("c1");
    state = listReducer(listReducer(state, { type: "previous" }), { type: "previous" });
    expect(pageNumber(state)).toBe(1);
  });

  it("goes back to page one when the filter or order changes", () => {
    const paged = listReducer(initialListState(), { type: "next", endCursor: "c1" });
    for (const action of [
      { type: "segment", segment: "U2VnbWVudDox" },
      { type: "search", search: "ann" },
      { type: "sort", sort: "EMAIL" },
      { type: "direction", direction: "ASC" },
    ] as const) {
      expect(pageNumber(listReducer(paged, action))).toBe(1);
    }
  });

  it("sends a trimmed search and the segment as the filter", () => {
    const state = listReducer(listReducer(initialListState(), { type: "search", search: "  ann " }), {
      type: "segment",
      segment: "U2VnbWVudDox",
    });
    expect(toQueryVariables(state).filter).toEqual({ segment: "U2VnbWVudDox", search: "ann" });
  });
});

describe("sorting by a score", () => {
  it("sends the currency only for CLV and churn risk, upper-cased, and starts again at page one", () => {
    let state = listReducer(initialListState(), { type: "next", endCursor: "abc" });
    state = listReducer(state, { type: "sort", sort: "CLV" });
    state = listReducer(state, { type: "currency", currency: " eur " });
    expect(toQueryVariables(state).sortBy).toEqual({ field: "CLV", direction: "DESC", currency: "EUR" });
    expect(state.cursors).toEqual([null]);
    state = listReducer(state, { type: "sort", sort: "EMAIL" });
    expect(toQueryVariables(state).sortBy).toEqual({ field: "EMAIL", direction: "DESC" });
  });
});
