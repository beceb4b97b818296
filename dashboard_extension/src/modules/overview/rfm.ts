/** Report figures reshaped for the overview's chart and tables. */
import type { CrmRfmGroup } from "../../generated/graphql";

export const RFM_GROUP_ORDER: CrmRfmGroup[] = [
  "CHAMPIONS",
  "LOYAL",
  "POTENTIAL_LOYALIST",
  "NEW",
  "PROMISING",
  "NEEDS_ATTENTION",
  "ABOUT_TO_SLEEP",
  "CANT_LOSE",
  "AT_RISK",
  "HIBERNATING",
  "LOST",
];

type RfmStat = { group: CrmRfmGroup; currency: string; customers: number; revenue: number; clv12m: number };

export type RfmBar = { group: CrmRfmGroup; customers: number; revenue: number; clv12m: number };

/**
 * Customers per RFM group in one currency (a customer is scored per currency),
 * every group present and in the usual order.
 */
export const rfmDistribution = (stats: RfmStat[], currency: string): RfmBar[] =>
  RFM_GROUP_ORDER.map((group) => {
    const stat = stats.find((row) => row.group === group && row.currency === currency);
    return { group, customers: stat?.customers ?? 0, revenue: stat?.revenue ?? 0, clv12m: stat?.clv12m ?? 0 };
  });

export type CurrencyTotals = { currency: string; customers: number; revenue: number; clv12m: number };

/** Totals per currency, largest revenue first: money in different currencies is never added up. */
export const totalsByCurrency = (stats: RfmStat[]): CurrencyTotals[] => {
  const totals = new Map<string, CurrencyTotals>();
  for (const row of stats) {
    const total = totals.get(row.currency) ?? { currency: row.currency, customers: 0, revenue: 0, clv12m: 0 };
    total.customers += row.customers;
    total.revenue += row.revenue;
    total.clv12m += row.clv12m;
    totals.set(row.currency, total);
  }
  return [...totals.values()].sort((a, b) => b.revenue - a.revenue || a.currency.localeCompare(b.currency));
};

export type RevenueRow = { currency: string; customers: number; orders: number; amount: number; clv12m: number | null };

/**
 * Revenue per currency as the customer list adds it up (the report's `revenue`, there from the first folded
 * order), with the 12-month CLV of the currency's RFM groups once customers are scored (null before).
 */
export const revenueRows = (
  revenue: { currency: string; customers: number; orders: number; amount: number }[],
  stats: RfmStat[],
): RevenueRow[] => {
  const clv = new Map(totalsByCurrency(stats).map((total) => [total.currency, total.clv12m]));
  return revenue
    .map((row) => ({ ...row, clv12m: clv.get(row.currency) ?? null }))
    .sort((a, b) => b.amount - a.amount || a.currency.localeCompare(b.currency));
};

/** Cell shade for a retention share: stronger for higher retention, never fully opaque so text stays legible. */
export const retentionShade = (share: number): number => {
  if (!Number.isFinite(share) || share <= 0) return 0;
  return Math.round(Math.min(1, share) * 55 + 5) / 100;
};
