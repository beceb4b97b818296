import { describe, expect, it } from "vitest";

import { dashboardPath, readEntityParams, toCrmBridgeState, toIntlLocale, toMacawTheme } from "./bridge-state";

const PAGE = "https://shop.test/plugins/global/saleor_crm_plugin.crm/dashboard/customer-widget";

describe("toCrmBridgeState", () => {
  it("maps a handshake state", () => {
    const state = toCrmBridgeState({
      ready: true,
      token: "jwt",
      theme: "dark",
      locale: "pt_BR" as never,
      saleorApiUrl: "https://shop.test/graphql/",
      user: { email: "staff@shop.test", permissions: ["MANAGE_USERS"] },
    });
    expect(state).toEqual({
      ready: true,
      token: "jwt",
      theme: "defaultDark",
      locale: "pt-BR",
      saleorApiUrl: "https://shop.test/graphql/",
      userEmail: "staff@shop.test",
      userPermissions: ["MANAGE_USERS"],
    });
  });

  it("falls back to the iframe URL before the handshake", () => {
    const state = toCrmBridgeState(
      { ready: false, saleorApiUrl: "" },
      `${PAGE}?theme=dark&locale=de&saleorApiUrl=https%3A%2F%2Fshop.test%2Fgraphql%2F`,
    );
    expect(state.ready).toBe(false);
    expect(state.token).toBeUndefined();
    expect(state.theme).toBe("defaultDark");
    expect(state.locale).toBe("de");
    expect(state.saleorApiUrl).toBe("https://shop.test/graphql/");
  });

  it("treats an empty token as none", () => {
    expect(toCrmBridgeState({ ready: true, token: "" }).token).toBeUndefined();
  });
});

describe("theme and locale", () => {
  it.each([
    ["dark", "defaultDark"],
    ["light", "defaultLight"],
    [undefined, "defaultLight"],
    ["sepia", "defaultLight"],
  ])("%s → %s", (input, expected) => expect(toMacawTheme(input)).toBe(expected));

  it("canonicalises locales and falls back to English", () => {
    expect(toIntlLocale("en_US")).toBe("en-US");
    expect(toIntlLocale("")).toBe("en");
    expect(toIntlLocale("not a locale!")).toBe("en");
  });
});

describe("readEntityParams", () => {
  it("reads the entity id the Dashboard adds", () => {
    expect(readEntityParams(`${PAGE}?id=QXBwOjE%3D&customerId=VXNlcjoxMg%3D%3D&theme=light`)).toEqual({
      customerId: "VXNlcjoxMg==",
      orderId: undefined,
      productId: undefined,
    });
  });
});

describe("dashboardPath", () => {
  it("encodes the id", () => {
    expect(dashboardPath("customer", "VXNlcjoxMg==")).toBe("/customers/VXNlcjoxMg%3D%3D");
  });
});
