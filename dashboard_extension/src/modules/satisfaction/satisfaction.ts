/** CSAT and NPS figures as people read them, in the Dashboard's locale. */
import type { ChipTone } from "../ui/chips";

const EMPTY = "—";

/** A CSAT average (1–5) as "4.3 / 5". */
export const formatCsat = (average: number | null | undefined, locale = "en"): string => {
  if (average == null || !Number.isFinite(average)) return EMPTY;
  return `${new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(average)} / 5`;
};

/** An NPS (−100 to 100) with its sign: "+35", "−12", "0". */
export const formatNps = (nps: number | null | undefined, locale = "en"): string => {
  if (nps == null || !Number.isFinite(nps)) return EMPTY;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: 0, signDisplay: "exceptZero" }).format(nps);
};

/** The API's satisfied share is a percentage (0–100), not a share. */
export const formatSatisfied = (percent: number | null | undefined, locale = "en"): string => {
  if (percent == null || !Number.isFinite(percent)) return EMPTY;
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 0 }).format(percent / 100);
};

/** One answer: "CSAT 4 / 5", "NPS 9 / 10". */
export const formatScore = (kind: "CSAT" | "NPS", score: number): string => `${kind} ${score} / ${kind === "CSAT" ? 5 : 10}`;

/** A month ("2026-11-01") as "Nov 2026"; read as UTC, as the API groups months. */
export const formatMonth = (month: string, locale = "en"): string => {
  const date = new Date(`${month.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return month;
  return new Intl.DateTimeFormat(locale, { month: "short", year: "numeric", timeZone: "UTC" }).format(date);
};

/** Promoters read as good news, detractors as bad; a low CSAT (1–2) too. */
export const npsTone = (group: string | null | undefined): ChipTone =>
  group === "PROMOTER" ? "success" : group === "DETRACTOR" ? "critical" : group === "PASSIVE" ? "warning" : "neutral";

export const scoreTone = (kind: "CSAT" | "NPS", score: number): ChipTone => {
  if (kind === "NPS") return score >= 9 ? "success" : score <= 6 ? "critical" : "warning";
  return score >= 4 ? "success" : score <= 2 ? "critical" : "warning";
};

/** Chart points per month: null where a month had no answer of that kind (a gap, not a zero). */
export const monthlyPoints = (
  months: { month: string; csatAverage: number | null; nps: number | null }[],
  locale = "en",
): { label: string; csat: number | null; nps: number | null }[] =>
  months.map((row) => ({ label: formatMonth(row.month, locale), csat: row.csatAverage, nps: row.nps }));

/** The first moment (UTC) of the month `months − 1` months before `now`'s: the last `months` calendar months. */
export const monthsSince = (months: number, now: Date = new Date()): string =>
  new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1)).toISOString();
