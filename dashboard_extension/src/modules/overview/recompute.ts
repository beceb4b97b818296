/** "Recompute now" in words and figures: what a run is doing, how far it is, whether to keep polling. */
import type { CrmRecomputeState, CrmRecomputeStep, RecomputeRunQuery } from "../../generated/graphql";
import { formatDateTime, formatNumber } from "../format/format";

export type RecomputeRun = NonNullable<RecomputeRunQuery["crmRecomputeRun"]>;

export const STEP_LABELS: Record<CrmRecomputeStep, string> = {
  SCORES: "Scoring customers (RFM, lifetime value, churn risk)",
  PROPENSITY: "Training the response model and scoring everyone",
  SEGMENTS: "Refreshing segment members",
};

/** How often the page asks for progress while a run is queued or running. */
export const POLL_MS = 1500;

export const isActive = (state: CrmRecomputeState | null | undefined): boolean => state === "QUEUED" || state === "RUNNING";

/** Share of the steps finished, 0–1 (a finished run is 1 whatever its steps). */
export const progressShare = (run: Pick<RecomputeRun, "state" | "done" | "total">): number => {
  if (run.state === "DONE") return 1;
  return run.total > 0 ? Math.min(1, run.done / run.total) : 0;
};

export type RecomputeStatus = { tone: "neutral" | "success" | "critical"; title: string; detail: string };

/** One sentence about the run for the status line under the button. */
export const recomputeStatus = (run: RecomputeRun, locale = "en"): RecomputeStatus => {
  const steps = `step ${Math.min(run.done + 1, run.total)} of ${run.total}`;
  switch (run.state) {
    case "QUEUED":
      return { tone: "neutral", title: "Waiting for a worker", detail: "The recompute starts as soon as a Celery worker is free." };
    case "RUNNING":
      return { tone: "neutral", title: `Recomputing: ${steps}`, detail: run.step ? STEP_LABELS[run.step] : "" };
    case "DONE":
      return {
        tone: "success",
        title: "Up to date",
        detail:
          `${formatNumber(run.customersScored, locale)} customers scored` +
          (run.finishedAt ? `, finished ${formatDateTime(run.finishedAt, locale)}.` : "."),
      };
    case "FAILED":
      return { tone: "critical", title: "The last recompute failed", detail: run.error ?? "" };
  }
};
