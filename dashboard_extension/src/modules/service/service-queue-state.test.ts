import { describe, expect, it } from "vitest";

import { initialQueueState, queuePageNumber, queueReady, queueReducer, toQueueVariables } from "./service-queue-state";

describe("the service queue", () => {
  it("starts with open requests, oldest first", () => {
    expect(toQueueVariables(initialQueueState())).toEqual({
      first: 20,
      after: null,
      filter: { status: "OPEN" },
      sortBy: { field: "CREATED", direction: "ASC" },
    });
  });

  it("sorts by customer value in a currency, most valuable first", () => {
    const state = queueReducer(queueReducer(initialQueueState(), { type: "sort", sort: "CLV" }), { type: "currency", currency: " eur" });
    expect(toQueueVariables(state).sortBy).toEqual({ field: "CLV", direction: "DESC", currency: "EUR" });
    expect(queueReady(state)).toBe(true);
    expect(queueReady(queueReducer(state, { type: "currency", currency: "E" }))).toBe(false);
  });

  it("pages by cursor and starts again at page one when the filter changes", () => {
    let state = queueReducer(initialQueueState(), { type: "next", endCursor: "c20" });
    state = queueReducer(state, { type: "next", endCursor: "c40" });
    expect(queuePageNumber(state)).toBe(3);
    expect(toQueueVariables(state).after).toBe("c40");
    expect(toQueueVariables(queueReducer(state, { type: "previous" })).after).toBe("c20");
    const all = queueReducer(state, { type: "status", status: null });
    expect(queuePageNumber(all)).toBe(1);
    expect(toQueueVariables(all).filter).toBeNull();
    expect(queueReducer(initialQueueState(), { type: "previous" })).toEqual(initialQueueState());
  });
});
