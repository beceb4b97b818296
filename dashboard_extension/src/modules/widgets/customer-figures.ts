/** Which of a customer's per-currency analytics rows to headline. */
type Analytics = { currency: string; clv12m: { amount: number } };
type Spend = { currency: string; revenue: { amount: number } };

/** The currency the customer spent most in (ties: alphabetical), its analytics first. */
export const mainCurrency = (spend: Spend[], analytics: Analytics[]): string | null => {
  const bySpend = [...spend].sort((a, b) => b.revenue.amount - a.revenue.amount || a.currency.localeCompare(b.currency));
  if (bySpend.length) return bySpend[0].currency;
  const byClv = [...analytics].sort((a, b) => b.clv12m.amount - a.clv12m.amount || a.currency.localeCompare(b.currency));
  return byClv[0]?.currency ?? null;
};

/** The channel to recommend in: the chosen one if the customer ordered there, else their first. */
export const recommendationChannel = (channels: string[], chosen: string | null): string | null =>
  chosen && channels.includes(chosen) ? chosen : (channels[0] ?? null);
