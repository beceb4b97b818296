import { describe, expect, it } from "vitest";

import { parseRoute, routeHref } from "./routes";

describe("routes", () => {
  it("parses a page, an id and parameters", () => {
    expect(parseRoute("#/campaigns/Q1JNQ2FtcGFpZ246MQ%3D%3D?state=SENT")).toEqual({
      page: "campaigns",
      id: "Q1JNQ2FtcGFpZ246MQ==",
      params: { state: "SENT" },
    });
  });

  it("falls back to the overview", () => {
    expect(parseRoute("")).toEqual({ page: "overview", params: {} });
    expect(parseRoute("#/nowhere")).toEqual({ page: "overview", params: {} });
  });

  it("round-trips through routeHref", () => {
    const route = { page: "customers" as const, params: { segment: "U2VnOjE=", sort: "LAST_ORDER" } };
    expect(parseRoute(routeHref(route))).toEqual({ ...route, id: undefined });
    expect(routeHref({ page: "customers", params: { segment: "" } })).toBe("#/customers");
  });
});
