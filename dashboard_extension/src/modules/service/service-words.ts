/** How the service pages name a request's customer and colour its status. */
import type { CrmServiceRequestStatus } from "../../generated/graphql";
import type { ChipTone } from "../ui/chips";

export const STATUS_TONES: Record<CrmServiceRequestStatus, ChipTone> = {
  OPEN: "warning",
  ANSWERED: "success",
  CLOSED: "neutral",
};

/** "Ann Lee", else the email, else "Anonymous customer" (erased). */
export const customerName = (customer: { firstName: string; lastName: string; email: string | null }): string =>
  `${customer.firstName} ${customer.lastName}`.trim() || customer.email || "Anonymous customer";
