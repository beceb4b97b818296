import { describe, expect, it } from "vitest";

import { isActive, progressShare, recomputeStatus, type RecomputeRun, STEP_LABELS } from "./recompute";

const run = (fields: Partial<RecomputeRun>): RecomputeRun => ({
  id: "UnVuOjE=",
  state: "RUNNING",
  reason: "STAFF",
  step: "SCORES",
  done: 0,
  total: 3,
  startedAt: "2026-01-02T10:00:00Z",
  finishedAt: null,
  error: null,
  customersScored: 0,
  ...fields,
});

describe("recompute progress", () => {
  it("polls only while queued or running", () => {
    expect(["QUEUED", "RUNNING", "DONE", "FAILED"].map((state) => isActive(state as RecomputeRun["state"]))).toEqual([
      true, true, false, false,
    ]);
    expect(isActive(null)).toBe(false);
  });

  it("counts finished steps, and a finished run as whole", () => {
    expect(progressShare(run({ done: 0 }))).toBe(0);
    expect(progressShare(run({ done: 2 }))).toBeCloseTo(2 / 3);
    expect(progressShare(run({ state: "DONE", done: 3 }))).toBe(1);
    expect(progressShare(run({ state: "QUEUED", total: 0 }))).toBe(0);
  });

  it("says which step runs, in words", () => {
    expect(recomputeStatus(run({ step: "PROPENSITY", done: 1 }))).toEqual({
      tone: "neutral", title: "Recomputing: step 2 of 3", detail: STEP_LABELS.PROPENSITY,
    });
    expect(recomputeStatus(run({ state: "QUEUED", step: null })).title).toBe("Waiting for a worker");
  });

  it("reports the customers scored when done and the error when failed", () => {
    const done = recomputeStatus(run({ state: "DONE", done: 3, customersScored: 1234, finishedAt: null }), "en-US");
    expect(done).toEqual({ tone: "success", title: "Up to date", detail: "1,234 customers scored." });
    const failed = recomputeStatus(run({ state: "FAILED", error: "propensity: disk full" }));
    expect(failed).toMatchObject({ tone: "critical", detail: "propensity: disk full" });
  });
});
