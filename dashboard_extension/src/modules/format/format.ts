/** Figures as people read them, in the Dashboard's locale. */

const EMPTY = "—";

export const formatMoney = (amount: number | null | undefined, currency: string, locale = "en"): string => {
  if (amount == null || !Number.isFinite(amount)) return EMPTY;
  try {
    return new Intl.NumberFormat(locale, { style: "currency", currency }).format(amount);
  } catch {
    // An unknown currency code: Intl throws, the figure is still worth showing.
    return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(amount)} ${currency}`;
  }
};

/** A share from 0 to 1 as a percentage. */
export const formatPercent = (share: number | null | undefined, locale = "en", digits = 1): string => {
  if (share == null || !Number.isFinite(share)) return EMPTY;
  return new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: digits }).format(share);
};

export const formatNumber = (value: number | null | undefined, locale = "en", digits = 0): string => {
  if (value == null || !Number.isFinite(value)) return EMPTY;
  return new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
};

export const formatDate = (iso: string | null | undefined, locale = "en"): string => {
  if (!iso) return EMPTY;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return EMPTY;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(date);
};

export const formatDateTime = (iso: string | null | undefined, locale = "en"): string => {
  if (!iso) return EMPTY;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return EMPTY;
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
};

// RFM group names as the CRM words them (saleor_crm_plugin/reports/wording.py), where the key is not the words.
const WORDING: Record<string, string> = { cant_lose: "can't lose", potential_loyalist: "potential loyalists" };

/** "CHAMPIONS" / "cant_lose" → "Champions" / "Can't lose". */
export const humanize = (code: string): string => {
  const key = code.toLowerCase().trim();
  const words = WORDING[key] ?? key.replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/** A churn risk (0–1) as low / medium / high, for a chip's colour. */
export const riskLevel = (risk: number | null | undefined): "low" | "medium" | "high" | "unknown" => {
  if (risk == null || !Number.isFinite(risk)) return "unknown";
  if (risk >= 0.7) return "high";
  if (risk >= 0.4) return "medium";
  return "low";
};

/** An hour of the day (0–23) as the locale writes it: "8 AM", "08 Uhr". */
export const formatHour = (hour: number, locale = "en"): string =>
  new Intl.DateTimeFormat(locale, { hour: "numeric", timeZone: "UTC" }).format(Date.UTC(2000, 0, 1, hour));

/** A span of seconds in its largest sensible unit: "45 sec", "12 min", "3.5 hr", "2 days". */
export const formatDuration = (seconds: number | null | undefined, locale = "en"): string => {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return EMPTY;
  const [unit, size] =
    seconds < 60 ? (["second", 1] as const)
      : seconds < 3600 ? (["minute", 60] as const)
        : seconds < 86400 ? (["hour", 3600] as const)
          : (["day", 86400] as const);
  return new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: unit === "day" ? "long" : "short",
    maximumFractionDigits: unit === "second" || unit === "minute" ? 0 : 1 }).format(seconds / size);
};
