/** What became of an automation step's runs and mails, in words. */
import { humanize } from "../format/format";

// Reason and state codes of saleor_crm_plugin/models/automation.py (RunReason) and campaign.py (SkipReason,
// DeliveryState), where the code alone does not say it.
const REASON_WORDS: Record<string, string> = {
  checkout_completed: "Checkout completed",
  ordered: "Ordered since",
  cart_changed: "Cart changed",
  previous_step_not_mailed: "Previous step not mailed",
  switched_off: "Automation switched off",
  no_template: "No template",
  no_channel: "Not in a chosen channel",
  returned: "Customer came back",
  order_cancelled: "Order cancelled",
  no_consent: "No marketing consent",
  suppressed: "Address suppressed",
  frequency_cap: "Frequency cap reached",
  no_email: "No email address",
  erased: "Customer erased",
  low_propensity: "Below the most likely to respond",
  holdout: "Held out (not mailed, to measure the lift)",
  queued: "Queued",
  sending: "Sending",
  sent: "Sent",
  failed: "Failed",
  unknown: "Outcome unknown",
};

/** "cart_changed" → "Cart changed"; an unknown code in plain words. */
export const reasonLabel = (code: string): string => REASON_WORDS[code.toLowerCase()] ?? (code ? humanize(code) : "Other");

export type Count = { key: string; count: number };

/** Counts with words, largest first, zeros left out. */
export const humanizeCounts = (counts: Count[]): { label: string; count: number }[] =>
  counts
    .filter((row) => row.count > 0)
    .map((row) => ({ label: reasonLabel(row.key), count: row.count }))
    .sort((a, b) => b.count - a.count || a.label.localeCompare(b.label));

export const totalOf = (counts: Count[]): number => counts.reduce((sum, row) => sum + row.count, 0);

/** An automation's mails sent over all its steps, for the list. */
export const sentOverSteps = (steps: { stats: { sent: number } }[]): number =>
  steps.reduce((sum, step) => sum + step.stats.sent, 0);
