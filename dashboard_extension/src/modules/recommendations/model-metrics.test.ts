import { describe, expect, it } from "vitest";

import { featuredVersion, parseJsonObject, readCounts, readEvaluation } from "./model-metrics";

const METRICS = JSON.stringify({
  protocol: "P-NBR-LAST / P-AB-LOO, k=10",
  customers: 12,
  popularity: { hit_rate: 0.2, mrr: 0.1, cases: 9 },
  for_you: { recall: 0.25, ndcg: 0.3, hit_rate: 0.5, recall_repeat: 0.4, recall_new: 0.1, customers: 12 },
  also_bought: { hit_rate: 0.6, mrr: 0.35, cases: 9 },
  personal_top_frequency: { recall: 0.2, ndcg: 0.2, hit_rate: 0.4, recall_repeat: 0.3, recall_new: 0, customers: 12 },
});

describe("readEvaluation", () => {
  it("lists our models before their baselines, shares before counts", () => {
    const evaluation = readEvaluation(METRICS);
    expect(evaluation.protocol).toBe("P-NBR-LAST / P-AB-LOO, k=10");
    expect(evaluation.customers).toBe(12);
    expect(evaluation.models.map((model) => model.key)).toEqual([
      "for_you",
      "personal_top_frequency",
      "also_bought",
      "popularity",
    ]);
    const forYou = evaluation.models[0];
    expect(forYou.figures.map((figure) => figure.label)).toEqual([
      "Recall@10",
      "NDCG@10",
      "Hit rate@10",
      "Recall, re-bought",
      "Recall, new to them",
      "Customers",
    ]);
    expect(forYou.figures[forYou.figures.length - 1]).toMatchObject({ kind: "count", value: 12 });
    expect(evaluation.models[2].figures.map((figure) => [figure.key, figure.kind])).toEqual([
      ["hit_rate", "share"],
      ["mrr", "share"],
      ["cases", "count"],
    ]);
  });

  it("keeps the note of a shop too small to evaluate", () => {
    const evaluation = readEvaluation(JSON.stringify({ customers: 0, note: "no customer has two orders yet" }));
    expect(evaluation).toEqual({ protocol: null, customers: 0, note: "no customer has two orders yet", models: [] });
  });

  it("names unknown models and figures from their keys", () => {
    const evaluation = readEvaluation(JSON.stringify({ new_model: { some_score: 0.5, label: "x" } }));
    expect(evaluation.models).toEqual([
      { key: "new_model", label: "New model", figures: [{ key: "some_score", label: "Some score", value: 0.5, kind: "share" }] },
    ]);
  });
});

describe("parseJsonObject", () => {
  it("reads objects, twice-encoded ones too, and nothing else", () => {
    expect(parseJsonObject('{"a": 1}')).toEqual({ a: 1 });
    expect(parseJsonObject(JSON.stringify('{"a": 1}'))).toEqual({ a: 1 });
    expect(parseJsonObject("[1]")).toEqual({});
    expect(parseJsonObject("not json")).toEqual({});
    expect(parseJsonObject(null)).toEqual({});
  });
});

describe("readCounts", () => {
  it("orders the known counts", () => {
    const counts = readCounts(JSON.stringify({ products: 8, customers: 16, lines: 40, orders: 30 }));
    expect(counts.map((count) => count.key)).toEqual(["orders", "lines", "products", "customers"]);
  });
});

describe("featuredVersion", () => {
  it("is the active version, else the newest", () => {
    expect(featuredVersion([{ v: 2, isActive: false }, { v: 1, isActive: true }])).toEqual({ v: 1, isActive: true });
    expect(featuredVersion([{ v: 2, isActive: false }, { v: 1, isActive: false }])).toEqual({ v: 2, isActive: false });
    expect(featuredVersion([])).toBeNull();
  });
});
