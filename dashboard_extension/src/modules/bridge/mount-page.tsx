import "../ui/global.css";

import { StrictMode, type ReactNode } from "react";
import { createRoot } from "react-dom/client";

import { BridgeProvider } from "./bridge-provider";

/** Renders a page inside the Dashboard bridge and macaw-ui's theme. */
export const mountPage = (page: ReactNode) => {
  const root = document.getElementById("root");
  if (!root) throw new Error("The page has no #root element.");
  createRoot(root).render(
    <StrictMode>
      <BridgeProvider>{page}</BridgeProvider>
    </StrictMode>,
  );
};
