import type { CustomerRecordQuery, CustomerRecordQueryVariables } from "../../generated/graphql";
import { useCrmQuery } from "../api/use-crm-query";
import { useBridge } from "../bridge/bridge-provider";
import { readEntityParams } from "../bridge/bridge-state";
import { OpenInDashboardButton } from "../ui/open-in-dashboard";
import { EmptyState, QueryView } from "../ui/page-states";
import RECORD from "./customer-record.graphql?raw";
import { CustomerSummary } from "./customer-summary";
import { MissingEntity, WidgetFrame } from "./widget-frame";

/** ORDER_DETAILS_WIDGETS: a summary of the customer who placed the order (the CRM looks the order up). */
export const OrderWidget = () => {
  const { state } = useBridge();
  const { orderId } = readEntityParams(window.location.href);
  const record = useCrmQuery<CustomerRecordQuery, CustomerRecordQueryVariables>(
    RECORD,
    { id: null, email: null, orderId: orderId ?? null, timeline: 1 },
    { skip: !orderId },
  );
  return (
    <WidgetFrame title="Customer of this order" testId="order-widget">
      {!orderId ? (
        <MissingEntity what="order" />
      ) : (
        <QueryView query={record} loadingLabel="Loading the order's customer…">
          {({ crmCustomer: customer }) =>
            !customer ? (
              <EmptyState title="Not in the CRM yet">
                The CRM records the order and its customer once the order event arrives.
              </EmptyState>
            ) : (
              <>
                <CustomerSummary customer={customer} locale={state.locale} />
                {customer.userId && (
                  <OpenInDashboardButton kind="customer" id={customer.userId} subject={customer.email ?? "the customer"} />
                )}
              </>
            )
          }
        </QueryView>
      )}
    </WidgetFrame>
  );
};
