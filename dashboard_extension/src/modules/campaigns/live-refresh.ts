import { useEffect } from "react";

/** A campaign as the list and the page know it, enough to tell whether it may change by itself. */
export type LiveCampaign = { state: string; scheduledAt?: string | null };

export const SENDING_POLL_MS = 3_000; // sending, or due: the counts move every batch
export const MAX_WAIT_MS = 60_000; // a campaign scheduled later is looked at again at least this often

/**
 * When to read again, in ms: soon while a campaign is sending or due, at its scheduled time (at most a minute
 * ahead, so a clock apart from the server's or a change elsewhere shows) while one is scheduled later, and
 * `null` — no polling — when none is scheduled or sending.
 */
export const nextRefreshMs = (campaigns: LiveCampaign[], now: number = Date.now()): number | null => {
  let wait: number | null = null;
  for (const campaign of campaigns) {
    let mine: number | null = null;
    if (campaign.state === "SENDING") mine = SENDING_POLL_MS;
    else if (campaign.state === "SCHEDULED") {
      const due = campaign.scheduledAt ? Date.parse(campaign.scheduledAt) - now : 0;
      mine = Number.isFinite(due) ? Math.min(Math.max(due, SENDING_POLL_MS), MAX_WAIT_MS) : SENDING_POLL_MS;
    }
    if (mine !== null && (wait === null || mine < wait)) wait = mine;
  }
  return wait;
};

/** Calls `refresh` after `delayMs` (again each time `key` changes: a new answer arrived); nothing when null. */
export const useRefreshAfter = (delayMs: number | null, refresh: () => void, key: unknown) => {
  useEffect(() => {
    if (delayMs === null) return;
    const timer = window.setTimeout(refresh, delayMs);
    return () => window.clearTimeout(timer);
  }, [delayMs, refresh, key]);
};
