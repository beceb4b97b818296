import { describe, expect, it } from "vitest";

import { MAX_WAIT_MS, nextRefreshMs, SENDING_POLL_MS } from "./live-refresh";

const NOW = Date.parse("2030-01-01T12:00:00Z");
const at = (seconds: number) => new Date(NOW + seconds * 1000).toISOString();

describe("nextRefreshMs", () => {
  it("does not poll when no campaign is scheduled or sending", () => {
    expect(nextRefreshMs([], NOW)).toBeNull();
    expect(nextRefreshMs([{ state: "DRAFT" }, { state: "SENT" }, { state: "PAUSED" }, { state: "CANCELLED" }], NOW)).toBeNull();
  });

  it("polls often while a campaign is sending or due", () => {
    expect(nextRefreshMs([{ state: "SENT" }, { state: "SENDING" }], NOW)).toBe(SENDING_POLL_MS);
    expect(nextRefreshMs([{ state: "SCHEDULED", scheduledAt: at(-5) }], NOW)).toBe(SENDING_POLL_MS);
    expect(nextRefreshMs([{ state: "SCHEDULED", scheduledAt: null }], NOW)).toBe(SENDING_POLL_MS);
  });

  it("waits until a later campaign is due, at most a minute", () => {
    expect(nextRefreshMs([{ state: "SCHEDULED", scheduledAt: at(20) }], NOW)).toBe(20_000);
    expect(nextRefreshMs([{ state: "SCHEDULED", scheduledAt: at(86_400) }], NOW)).toBe(MAX_WAIT_MS);
  });

  it("follows the campaign that changes soonest", () => {
    const campaigns = [{ state: "SCHEDULED", scheduledAt: at(86_400) }, { state: "SENDING" }];
    expect(nextRefreshMs(campaigns, NOW)).toBe(SENDING_POLL_MS);
  });

  it("treats an unreadable time as due", () => {
    expect(nextRefreshMs([{ state: "SCHEDULED", scheduledAt: "soon" }], NOW)).toBe(SENDING_POLL_MS);
  });
});
