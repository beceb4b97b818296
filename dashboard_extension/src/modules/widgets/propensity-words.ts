/** A customer's response propensity in words: the chance, how far to trust it, and the strongest reasons. */
import { formatNumber, formatPercent } from "../format/format";

export type PropensityReason = { name: string; label: string; value: number };
export type Propensity = {
  probability: number;
  horizonDays: number;
  confidence: string;
  method: string;
  reasons: PropensityReason[];
};

/** "34% chance of ordering within 90 days". */
export const chanceInWords = (propensity: Propensity, locale = "en"): string =>
  `${formatPercent(propensity.probability, locale, 0)} chance of ordering within ${formatNumber(propensity.horizonDays, locale)} days`;

// methods of profiles/propensity.py: logistic and boosting are models; the others priors.
const METHOD_WORDS: Record<string, string> = {
  logistic: "a model of the shop's customers",
  boosting: "a model of the shop's customers",
  bgnbd_prior: "the purchase-pattern model only (too little history for more)",
  base_rate: "the rate of customers who never ordered before (no history of their own)",
};

/** "High confidence, from a model of the shop's customers". */
export const basisInWords = (propensity: Propensity): string => {
  const confidence = propensity.confidence ? `${propensity.confidence[0].toUpperCase()}${propensity.confidence.slice(1)} confidence` : "Confidence unknown";
  return `${confidence}, from ${METHOD_WORDS[propensity.method] ?? propensity.method.replace(/_/g, " ")}`;
};

/**
 * The strongest reasons first, each as "Weeks since the last order raises the chance a lot (odds ×2.7)":
 * `value` is the change in log-odds the input makes against a typical customer.
 */
export const reasonsInWords = (reasons: PropensityReason[], limit = 3, locale = "en"): string[] =>
  [...reasons]
    .filter((reason) => Number.isFinite(reason.value) && reason.value !== 0)
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, limit)
    .map((reason) => {
      const size = Math.abs(reason.value);
      const amount = size >= 1 ? " a lot" : size >= 0.3 ? "" : " a little";
      const label = reason.label || reason.name.replace(/_/g, " ");
      return `${label[0].toUpperCase()}${label.slice(1)} ${reason.value > 0 ? "raises" : "lowers"} the chance${amount} ` +
        `(odds ×${formatNumber(Math.exp(reason.value), locale, 1)})`;
    });
