import { describe, expect, it } from "vitest";

import { saleorPk } from "./saleor-ids";

describe("saleorPk", () => {
  it("reads the primary key of the expected type", () => {
    expect(saleorPk(btoa("Product:12"), "Product")).toBe(12);
    expect(saleorPk(btoa("User:12"), "Product")).toBeNull();
    expect(saleorPk(btoa("Product:abc"), "Product")).toBeNull();
    expect(saleorPk("%%%", "Product")).toBeNull();
  });
});
