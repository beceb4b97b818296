import { Button } from "@saleor/macaw-ui";

import { notifyDashboard, openInDashboard } from "../bridge/bridge";

/** The button's accessible name: its visible text first (axe: label-content-name-mismatch), then what it opens. */
export const openInDashboardLabel = (subject: string) => `Open in Saleor: ${subject}`;

/** A button opening a Saleor entity's own Dashboard page through the bridge; `subject` names the entity. */
export const OpenInDashboardButton = ({
  kind,
  id,
  subject,
}: {
  kind: "customer" | "order" | "product";
  id: string;
  subject: string;
}) => (
  <Button
    variant="tertiary"
    size="small"
    aria-label={openInDashboardLabel(subject)}
    onClick={() =>
      openInDashboard(kind, id).catch((error: unknown) =>
        notifyDashboard("error", "Could not open the page", error instanceof Error ? error.message : String(error)),
      )
    }
  >
    Open in Saleor
  </Button>
);
