import { describe, expect, it } from "vitest";

import { allowedActions, scheduleAt, shareOf } from "./campaign-actions";

describe("allowedActions", () => {
  it.each([
    ["DRAFT", ["schedule", "cancel"]],
    ["SCHEDULED", ["pause", "cancel"]],
    ["SENDING", ["pause", "cancel"]],
    ["PAUSED", ["resume", "cancel"]],
    ["SENT", []],
    ["CANCELLED", []],
  ] as const)("%s → %j", (state, actions) => expect(allowedActions(state)).toEqual(actions));
});

describe("scheduleAt", () => {
  it("means now when empty", () => expect(scheduleAt("  ")).toBeNull());
  it("gives an ISO instant with a zone", () => expect(scheduleAt("2026-12-01T09:30")).toMatch(/^2026-1[12]-\d\dT\d\d:\d\d:00\.000Z$/));
  it("refuses garbage", () => expect(() => scheduleAt("tomorrow-ish")).toThrow());
});

describe("shareOf", () => {
  it("divides safely", () => {
    expect(shareOf(5, 20)).toBe(0.25);
    expect(shareOf(5, 0)).toBe(0);
  });
});
