/** A started campaign's results in words and figures: funnel shares, bounce health, lift intervals and verdicts. */
import type { CampaignResultsQuery, CrmLiftVerdict } from "../../generated/graphql";
import { formatDate, formatMoney, formatNumber, formatPercent } from "../format/format";

type Results = NonNullable<CampaignResultsQuery["crmCampaign"]>;
export type Funnel = Results["funnel"];
export type Health = Results["health"];
export type Interval = { estimate: number; low: number; high: number };

export type FunnelKey = keyof Omit<Funnel, "__typename" | "deliveryReports">;
export type DeliveryReports = Funnel["deliveryReports"];

export type FunnelRow = {
  key: FunnelKey;
  label: string;
  /** null when the mail provider does not (or not yet) report this kind of event: unknown, not zero. */
  count: number | null;
  /** Share of `base` (sent mails, or delivered ones); null when the base is zero or the count unknown. */
  share: number | null;
  base: "sent" | "delivered";
  /** Why the figure needs care. */
  caveat?: string;
};

export const OPENS_CAVEAT =
  "Unreliable: mail privacy proxies (Apple Mail and others) open every mail they receive, so opens overstate readers.";

/** What the page says about the provider's reports; null once they came in. */
export const DELIVERY_REPORTS_NOTES: Record<DeliveryReports, string | null> = {
  RECEIVED: null,
  AWAITED:
    "No report from your mail provider yet: deliveries, opens, bounces and complaints are counted as its tracking " +
    "webhook reports them. Clicks are counted by the CRM's own links.",
  NOT_REPORTED:
    "Your mail provider does not report deliveries (SMTP, or no tracking webhook set up), so deliveries, opens, " +
    "bounces and complaints are unknown, not zero. Clicks are counted by the CRM's own links, against mails sent.",
};

/** The words in a count's place when the provider has not reported it. */
export const UNREPORTED: Record<Exclude<DeliveryReports, "RECEIVED">, string> = {
  AWAITED: "Not reported yet",
  NOT_REPORTED: "Not reported by your provider",
};

const share = (count: number, base: number): number | null => (base > 0 ? count / base : null);

// Counted by the CRM itself (its click links), whatever the provider reports.
const OWN_COUNTS: ReadonlySet<FunnelKey> = new Set(["clicked"]);

/**
 * The funnel (delivered → opened → clicked) and what went wrong (bounced, complained, unsubscribed…). Until the
 * provider reported on the mails, what only it knows is unknown (count null) and clicks are rated against sent.
 */
export const funnelRows = (funnel: Funnel, sent: number): { steps: FunnelRow[]; problems: FunnelRow[] } => {
  const reported = funnel.deliveryReports === "RECEIVED";
  const delivered = funnel.delivered;
  const row = (key: FunnelKey, label: string, base: "sent" | "delivered", caveat?: string): FunnelRow => {
    const known = reported || OWN_COUNTS.has(key);
    const against = reported ? base : "sent";
    return {
      key, label, count: known ? funnel[key] : null, base: against,
      share: known ? share(funnel[key], against === "sent" ? sent : delivered) : null,
      ...(caveat ? { caveat } : {}),
    };
  };
  return {
    steps: [
      row("delivered", "Delivered", "sent"),
      row("opened", "Opened", "delivered", OPENS_CAVEAT),
      row("clicked", "Clicked", "delivered"),
    ],
    problems: [
      row("bounced", "Bounced", "sent"),
      row("rejected", "Rejected by the mail service", "sent"),
      row("deferred", "Deferred (delayed)", "sent"),
      row("complained", "Marked as spam", "delivered"),
      row("unsubscribed", "Unsubscribed", "delivered"),
    ],
  };
};

export type HealthLevel = "ok" | "near" | "over" | "waiting";

const level = (rate: number, limit: number, judged: boolean): HealthLevel => {
  if (!judged) return "waiting";
  if (rate >= limit) return "over";
  return rate >= limit / 2 ? "near" : "ok";
};

/** Bounce and complaint rates against the shop's limits that pause a campaign (both come with the health). */
export const healthStatus = (health: Health) => {
  const judged = health.window >= health.minimumSample;
  return {
    judged,
    bounce: level(health.bounceRate, health.bounceRateMax, judged),
    complaint: level(health.complaintRate, health.complaintRateMax, judged),
  };
};

/** A complaint rate (0–1) per 10,000 mails: 0.0012 → "12". */
export const perTenThousand = (rate: number, locale = "en"): string => formatNumber(rate * 10_000, locale, 1);

const signed = (locale: string, options: Intl.NumberFormatOptions) =>
  new Intl.NumberFormat(locale, { ...options, signDisplay: "exceptZero" });

export type Measure = { kind: "orders" } | { kind: "money"; currency: string };

// Orders per recipient are small (0.03): per 100 recipients reads better, and the table says so.
export const ORDERS_SCALE = 100;

/** A per-recipient figure as shown: orders per 100 recipients with one decimal, money per recipient. */
export const formatPerRecipient = (value: number | null | undefined, measure: Measure, locale = "en"): string => {
  if (value == null || !Number.isFinite(value)) return "—";
  return measure.kind === "orders"
    ? new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value * ORDERS_SCALE)
    : formatMoney(value, measure.currency, locale);
};

/** A difference with its sign: "+1.5", "−$0.20". */
export const formatSignedPerRecipient = (value: number, measure: Measure, locale = "en"): string => {
  if (!Number.isFinite(value)) return "—";
  if (measure.kind === "orders") {
    return signed(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value * ORDERS_SCALE);
  }
  try {
    return signed(locale, { style: "currency", currency: measure.currency }).format(value);
  } catch {
    return `${signed(locale, { maximumFractionDigits: 2 }).format(value)} ${measure.currency}`;
  }
};

/** "+1.5 (95% interval +0.2 to +2.8)"; "—" without an estimate (a group is empty). */
export const formatDifference = (interval: Interval | null | undefined, measure: Measure, locale = "en"): string => {
  if (!interval) return "—";
  const f = (value: number) => formatSignedPerRecipient(value, measure, locale);
  return `${f(interval.estimate)} (95% interval ${f(interval.low)} to ${f(interval.high)})`;
};

/** A relative lift (0.12: 12% more) with its interval; "—" when either group's figure is zero. */
export const formatRelative = (interval: Interval | null | undefined, locale = "en"): string => {
  if (!interval) return "—";
  const f = (value: number) => signed(locale, { style: "percent", maximumFractionDigits: 1 }).format(value);
  return `${f(interval.estimate)} (95% interval ${f(interval.low)} to ${f(interval.high)})`;
};

export const VERDICT_LABELS: Record<CrmLiftVerdict, string> = {
  POSITIVE: "The mail raised it",
  NEGATIVE: "The mail lowered it",
  NO_CLEAR_EFFECT: "No clear effect",
  TOO_SMALL: "Too small to tell",
};

/** The verdict on one measure ("orders", "revenue in EUR") in a plain sentence. */
export const verdictSentence = (verdict: CrmLiftVerdict, what: string): string => {
  switch (verdict) {
    case "POSITIVE":
      return `The mail raised ${what}: mailed customers did better than the holdout, and the whole 95% interval is above zero.`;
    case "NEGATIVE":
      return `The mail lowered ${what}: mailed customers did worse than the holdout, and the whole 95% interval is below zero.`;
    case "NO_CLEAR_EFFECT":
      return `No clear effect on ${what}: the 95% interval includes zero, so the difference may be chance.`;
    case "TOO_SMALL":
      return `Too small to tell for ${what}: too few customers or orders to compare (each group needs 100 recipients, ` +
        "both together 10 buyers, and an interval narrower than twice the holdout's figure).";
  }
};

export type LiftTiming = { final: boolean; windowStart: string | null; windowEnd: string | null };

/** Whether the figures can still change: "Provisional until …" while the attribution window runs. */
export const liftTimingNote = (lift: LiftTiming, locale = "en"): string => {
  if (!lift.windowStart) return "Measured once the campaign starts.";
  const period = `orders from ${formatDate(lift.windowStart, locale)} until ${formatDate(lift.windowEnd, locale)}`;
  return lift.final
    ? `Final: ${period}.`
    : `Provisional until ${formatDate(lift.windowEnd, locale)}: ${period} count, and more may still come in.`;
};

/** "3 of 250 (1.2%)": a count over a base, with its share. */
export const countOf = (count: number, base: number, locale = "en"): string =>
  `${formatNumber(count, locale)} of ${formatNumber(base, locale)}${base > 0 ? ` (${formatPercent(count / base, locale)})` : ""}`;
