import "../ui/global.css";

import { StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";

import { CrmIntlProvider } from "../i18n/intl-provider";
import { BridgeProvider } from "./bridge-provider";

/** Renders a page inside the Dashboard bridge, macaw-ui's theme and react-intl (the user's locale). */
export const mountPage = (page: ReactNode) => {
  const root = document.getElementById("root");
  if (!root) throw new Error("The page has no #root element.");
  createRoot(root).render(
    <StrictMode>
      <BridgeProvider>
        <CrmIntlProvider>{page}</CrmIntlProvider>
      </BridgeProvider>
    </StrictMode>,
  );
};
