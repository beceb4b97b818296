/** The create form's audience options: a random holdout, and mailing only the customers most likely to respond. */

export const HOLDOUT_MAX = 50; // CRMCampaignInput.holdoutPercent: 0–50
export type AudienceOptions = { holdoutPercent: number; audienceTopPercent: number | null };
export type AudienceResult = { options: AudienceOptions; errors: [] } | { options: null; errors: { field: string; message: string }[] };

const wholePercent = (text: string, low: number, high: number, what: string): number | string => {
  const trimmed = text.trim();
  if (trimmed === "") return `Enter ${what}.`;
  const value = Number(trimmed);
  if (!Number.isInteger(value)) return `${what[0].toUpperCase()}${what.slice(1)} is a whole number of percent.`;
  if (value < low || value > high) return `${what[0].toUpperCase()}${what.slice(1)} is from ${low} to ${high}%.`;
  return value;
};

/**
 * `holdoutPercent` from its field (empty: none) and `audienceTopPercent` when "only the most likely" is on
 * (null: everyone), or the problems keyed by field name.
 */
export const readAudienceOptions = (holdout: string, topOn: boolean, top: string): AudienceResult => {
  const errors: { field: string; message: string }[] = [];
  const held = holdout.trim() === "" ? 0 : wholePercent(holdout, 0, HOLDOUT_MAX, "the holdout");
  if (typeof held === "string") errors.push({ field: "holdoutPercent", message: held });
  const topPercent = topOn ? wholePercent(top, 1, 100, "the share to mail") : null;
  if (typeof topPercent === "string") errors.push({ field: "audienceTopPercent", message: topPercent });
  if (errors.length) return { options: null, errors };
  return {
    options: { holdoutPercent: held as number, audienceTopPercent: topPercent as number | null },
    errors: [],
  };
};

/** The options in a sentence for the campaign's header: "10% held out · only the 20% most likely to respond". */
export const describeAudienceOptions = ({ holdoutPercent, audienceTopPercent }: AudienceOptions): string =>
  [
    holdoutPercent > 0 ? `${holdoutPercent}% held out at random (not mailed, to measure the lift)` : "",
    audienceTopPercent != null ? `only the ${audienceTopPercent}% most likely to respond` : "",
  ]
    .filter(Boolean)
    .join(" · ");
