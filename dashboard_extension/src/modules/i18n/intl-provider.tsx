import type { ReactNode } from "react";
import { IntlProvider } from "react-intl";

import { useBridge } from "../bridge/bridge-provider";

// No catalogue but English yet: every message carries its English defaultMessage, so a missing translation is
// the normal case, not an error worth a console line per string.
const reportIntlError = (error: { code?: string }) => {
  if (error.code !== "MISSING_TRANSLATION") console.error(error);
};

/** react-intl for a page, in the Dashboard user's locale (from the bridge). */
export const CrmIntlProvider = ({ children }: { children: ReactNode }) => {
  const { state } = useBridge();
  return (
    <IntlProvider locale={state.locale} defaultLocale="en" messages={{}} onError={reportIntlError}>
      {children}
    </IntlProvider>
  );
};
