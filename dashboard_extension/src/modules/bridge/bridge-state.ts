/** What the pages need from the Dashboard, mapped from app-bridge's state and the iframe URL. */
import type { AppBridgeState } from "@saleor/app-sdk/app-bridge";

export type MacawTheme = "defaultLight" | "defaultDark";

export type CrmBridgeState = {
  ready: boolean;
  token?: string;
  theme: MacawTheme;
  locale: string;
  saleorApiUrl: string;
  userEmail?: string;
  userPermissions: string[];
};

export type EntityParams = {
  customerId?: string;
  orderId?: string;
  productId?: string;
};

/** The Dashboard's "light"/"dark" as macaw-ui's theme name; anything else reads as light. */
export const toMacawTheme = (theme: string | null | undefined): MacawTheme =>
  theme === "dark" ? "defaultDark" : "defaultLight";

/** Locale codes from the Dashboard use "_" (pt_BR); Intl wants "-" (pt-BR). */
export const toIntlLocale = (locale: string | null | undefined): string => {
  const code = (locale ?? "").replace(/_/g, "-").trim();
  if (!code) return "en";
  try {
    return Intl.getCanonicalLocales(code)[0] ?? "en";
  } catch {
    return "en";
  }
};

export const toCrmBridgeState = (state: Partial<AppBridgeState>, pageUrl?: string): CrmBridgeState => {
  const params = pageUrl ? new URL(pageUrl).searchParams : undefined;
  return {
    ready: Boolean(state.ready),
    token: state.token || undefined,
    // Before the handshake the Dashboard's choice is only in the iframe URL.
    theme: toMacawTheme(state.theme ?? params?.get("theme")),
    locale: toIntlLocale(state.locale ?? params?.get("locale")),
    saleorApiUrl: state.saleorApiUrl || params?.get("saleorApiUrl") || "",
    userEmail: state.user?.email,
    userPermissions: state.user?.permissions ?? [],
  };
};

/** The entity a widget is mounted on: the Dashboard adds its id to the iframe URL. */
export const readEntityParams = (pageUrl: string): EntityParams => {
  const params = new URL(pageUrl).searchParams;
  const pick = (name: string) => params.get(name)?.trim() || undefined;
  return { customerId: pick("customerId"), orderId: pick("orderId"), productId: pick("productId") };
};

/** The Dashboard path of one Saleor entity, for the bridge's redirect action. */
export const dashboardPath = (kind: "customer" | "order" | "product", id: string): string => {
  const section = { customer: "customers", order: "orders", product: "products" }[kind];
  return `/${section}/${encodeURIComponent(id)}`;
};
