/** A trained version's `metrics` and `counts` (JSON strings from the API) as figures to show. */

export type Figure = { key: string; label: string; value: number; kind: "share" | "count" };
export type ModelEvaluation = { key: string; label: string; figures: Figure[] };
export type Evaluation = { protocol: string | null; customers: number | null; note: string | null; models: ModelEvaluation[] };

const MODEL_LABELS: Record<string, string> = {
  for_you: "For you",
  personal_top_frequency: "Baseline: each customer's most bought",
  also_bought: "Also bought",
  popularity: "Baseline: most popular",
};

const FIGURE_LABELS: Record<string, string> = {
  recall: "Recall@10",
  ndcg: "NDCG@10",
  hit_rate: "Hit rate@10",
  mrr: "MRR@10",
  recall_repeat: "Recall, re-bought",
  recall_new: "Recall, new to them",
};

const COUNT_KEYS = new Set(["customers", "cases"]);

const words = (key: string) => {
  const text = key.replace(/_/g, " ").trim();
  return text.charAt(0).toUpperCase() + text.slice(1);
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A JSONString's object, or {} when it is not one (a version that failed before evaluation). */
export const parseJsonObject = (text: string | null | undefined): Record<string, unknown> => {
  if (!text) return {};
  try {
    const value: unknown = JSON.parse(text);
    // graphene's JSONString may arrive JSON-encoded twice.
    const object = typeof value === "string" ? (JSON.parse(value) as unknown) : value;
    return isRecord(object) ? object : {};
  } catch {
    return {};
  }
};

const figuresOf = (scores: Record<string, unknown>): Figure[] =>
  Object.entries(scores)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number" && Number.isFinite(entry[1]))
    .map(([key, value]) => ({
      key,
      label: FIGURE_LABELS[key] ?? words(key),
      value,
      kind: COUNT_KEYS.has(key) ? ("count" as const) : ("share" as const),
    }))
    // Shares first, in the order the API lists them; counts last.
    .sort((a, b) => Number(a.kind === "count") - Number(b.kind === "count"));

/** The models' evaluation figures, ours before the baselines they are compared with. */
export const readEvaluation = (metrics: string | null | undefined): Evaluation => {
  const data = parseJsonObject(metrics);
  const order = Object.keys(MODEL_LABELS);
  const models = Object.entries(data)
    .filter((entry): entry is [string, Record<string, unknown>] => isRecord(entry[1]))
    .map(([key, scores]) => ({ key, label: MODEL_LABELS[key] ?? words(key), figures: figuresOf(scores) }))
    .filter((model) => model.figures.length > 0)
    .sort((a, b) => {
      const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
      return rank(a.key) - rank(b.key);
    });
  return {
    protocol: typeof data.protocol === "string" ? data.protocol : null,
    customers: typeof data.customers === "number" ? data.customers : null,
    note: typeof data.note === "string" ? data.note : null,
    models,
  };
};

/** What a version was trained on ("120 orders · 340 lines · …"), known counts in a fixed order. */
export const readCounts = (counts: string | null | undefined): { key: string; label: string; value: number }[] => {
  const data = parseJsonObject(counts);
  const order = ["orders", "lines", "products", "customers"];
  return Object.entries(data)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number")
    .sort(([a], [b]) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99))
    .map(([key, value]) => ({ key, label: key.replace(/_/g, " "), value }));
};

/** The version whose evaluation to show first: the active one, else the newest. */
export const featuredVersion = <T extends { isActive: boolean }>(versions: T[]): T | null =>
  versions.find((version) => version.isActive) ?? versions[0] ?? null;
