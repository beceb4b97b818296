/**
 * The one AppBridge of a page. Everything that talks to the Dashboard goes
 * through here, so a test harness playing the Dashboard's side of the
 * postMessage handshake drives the whole page.
 */
import { actions, AppBridge, type AppBridgeState } from "@saleor/app-sdk/app-bridge";

import { dashboardPath, toCrmBridgeState, type CrmBridgeState } from "./bridge-state";

let bridge: AppBridge | undefined;

export const getAppBridge = (): AppBridge => {
  bridge ??= new AppBridge();
  return bridge;
};

export const readBridgeState = (): CrmBridgeState =>
  toCrmBridgeState(getAppBridge().getState() as Partial<AppBridgeState>, window.location.href);

/** Calls `listener` with the new state after every Dashboard event that changes it. */
export const subscribeBridgeState = (listener: (state: CrmBridgeState) => void): (() => void) => {
  const appBridge = getAppBridge();
  const emit = () => listener(readBridgeState());
  const unsubscribers = (["handshake", "theme", "localeChanged", "tokenRefresh"] as const).map((event) =>
    appBridge.subscribe(event, emit),
  );
  return () => unsubscribers.forEach((unsubscribe) => unsubscribe());
};

/** Opens a Saleor entity's own page in the Dashboard. */
export const openInDashboard = (kind: "customer" | "order" | "product", id: string, newTab = false) =>
  getAppBridge().dispatch(actions.Redirect({ to: dashboardPath(kind, id), newContext: newTab }));

export const notifyDashboard = (status: "success" | "error" | "info", title: string, text?: string) =>
  getAppBridge()
    .dispatch(actions.Notification({ status, title, text }))
    .catch(() => undefined); // a toast that did not show is not worth an error of its own

/** Widgets tell the Dashboard their height; the Dashboard sizes the iframe. */
export const reportHeight = (height: number) => {
  if (height > 0) {
    getAppBridge()
      .dispatch(actions.WidgetResize({ height: Math.ceil(height) }))
      .catch(() => undefined); // older Dashboards do not answer this action
  }
};
