import "@saleor/macaw-ui/style";

import { ThemeProvider, useTheme } from "@saleor/macaw-ui";
import { createContext, type ReactNode, useContext, useEffect, useMemo, useState } from "react";

import { createCrmClient, crmEndpointFor, type CrmClient } from "../api/crm-client";
import { readBridgeState, subscribeBridgeState } from "./bridge";
import type { CrmBridgeState, MacawTheme } from "./bridge-state";

type BridgeContextValue = { state: CrmBridgeState; client: CrmClient };

const BridgeContext = createContext<BridgeContextValue | null>(null);

const ThemeFollower = ({ theme }: { theme: MacawTheme }) => {
  const { setTheme } = useTheme();
  useEffect(() => {
    setTheme(theme);
    document.documentElement.style.colorScheme = theme === "defaultDark" ? "dark" : "light";
    // global.css adjusts a few of macaw-ui's colours per theme (contrast).
    document.documentElement.dataset.crmTheme = theme === "defaultDark" ? "dark" : "light";
  }, [theme, setTheme]);
  return null;
};

/** Connects a page to the Dashboard: bridge state, themed macaw-ui, and a CRM client using the bridge's token. */
export const BridgeProvider = ({ children }: { children: ReactNode }) => {
  const [state, setState] = useState<CrmBridgeState>(readBridgeState);
  useEffect(() => subscribeBridgeState(setState), []);

  const client = useMemo(
    () => createCrmClient({ endpoint: crmEndpointFor(window.location.href), getToken: () => readBridgeState().token }),
    [],
  );
  const value = useMemo(() => ({ state, client }), [state, client]);

  useEffect(() => {
    document.documentElement.lang = state.locale;
  }, [state.locale]);

  return (
    <ThemeProvider defaultTheme={state.theme}>
      <ThemeFollower theme={state.theme} />
      <BridgeContext.Provider value={value}>{children}</BridgeContext.Provider>
    </ThemeProvider>
  );
};

export const useBridge = (): BridgeContextValue => {
  const value = useContext(BridgeContext);
  if (!value) throw new Error("useBridge() needs a <BridgeProvider> above it.");
  return value;
};
