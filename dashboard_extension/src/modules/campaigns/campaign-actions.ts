/** What a campaign in each state can do next (the server's transitions in campaigns/campaigns.py). */
import type { CrmCampaignState } from "../../generated/graphql";

export type CampaignAction = "schedule" | "pause" | "resume" | "cancel";

const ALLOWED: Record<CrmCampaignState, CampaignAction[]> = {
  DRAFT: ["schedule", "cancel"],
  SCHEDULED: ["pause", "cancel"],
  SENDING: ["pause", "cancel"],
  PAUSED: ["resume", "cancel"],
  SENT: [],
  CANCELLED: [],
};

export const allowedActions = (state: CrmCampaignState): CampaignAction[] => ALLOWED[state] ?? [];

/**
 * The `at` argument for scheduling: a local `datetime-local` value as an ISO
 * instant with its zone, or null for "now". Throws on a value that is not a time.
 */
export const scheduleAt = (localValue: string): string | null => {
  if (!localValue.trim()) return null;
  const date = new Date(localValue);
  if (Number.isNaN(date.getTime())) throw new Error("Enter a date and time.");
  return date.toISOString();
};

/** Share of recipients a count stands for, 0 when there are none. */
export const shareOf = (count: number, recipients: number): number => (recipients > 0 ? count / recipients : 0);
