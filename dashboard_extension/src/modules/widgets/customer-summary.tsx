import { Box, Text } from "@saleor/macaw-ui";

import type { CustomerRecordQuery } from "../../generated/graphql";
import { formatDate, formatMoney, formatNumber, formatPercent, humanize } from "../format/format";
import { ChurnRiskChip, RfmChip, ToneChip } from "../ui/chips";
import { Kpi, KpiGrid } from "../ui/layout";
import { mainCurrency } from "./customer-figures";

export type CustomerRecord = NonNullable<CustomerRecordQuery["crmCustomer"]>;

/** RFM group, CLV, churn risk, next order and consent: the customer at a glance. */
export const CustomerSummary = ({ customer, locale }: { customer: CustomerRecord; locale: string }) => {
  const currency = mainCurrency(customer.spend, customer.analytics);
  const analytics = customer.analytics.find((row) => row.currency === currency) ?? customer.analytics[0];
  const spend = customer.spend.find((row) => row.currency === currency);
  const name = `${customer.firstName} ${customer.lastName}`.trim();
  return (
    <Box display="flex" flexDirection="column" gap={3} data-testid="customer-summary">
      <Box display="flex" gap={2} alignItems="center" flexWrap="wrap">
        <Text size={5} fontWeight="bold">{name || customer.email || "Anonymous customer"}</Text>
        <RfmChip group={analytics?.rfmGroup} />
        <ChurnRiskChip risk={analytics?.churnRisk} locale={locale} />
        {customer.isGuest && <ToneChip tone="neutral">Guest</ToneChip>}
      </Box>
      <KpiGrid>
        <Kpi label="Orders" value={formatNumber(customer.orderCount, locale)}
          hint={customer.lastOrderAt ? `last ${formatDate(customer.lastOrderAt, locale)}` : "none yet"} />
        <Kpi label="Revenue" value={spend ? formatMoney(spend.revenue.amount, spend.currency, locale) : "—"}
          hint={customer.spend.length > 1 ? `and ${customer.spend.length - 1} other currenc${customer.spend.length > 2 ? "ies" : "y"}` : undefined} />
        <Kpi label="12-month CLV" value={analytics ? formatMoney(analytics.clv12m.amount, analytics.clv12m.currency, locale) : "—"}
          hint={analytics ? `confidence ${analytics.confidence}` : "not scored yet"} />
        <Kpi label="Next order expected" value={formatDate(analytics?.nextOrderAt, locale)}
          hint={analytics ? `still active: ${formatPercent(analytics.pAlive, locale, 0)}` : undefined} />
      </KpiGrid>
      <Box display="flex" flexDirection="column" gap={1}>
        <Text size={3} fontWeight="bold">Marketing consent</Text>
        {customer.consents.length === 0 ? (
          <Text size={2} color="default2">Never asked in any channel.</Text>
        ) : (
          <Box display="flex" gap={2} flexWrap="wrap">
            {customer.consents.map((consent) => (
              <ToneChip key={consent.channel}
                tone={consent.state === "SUBSCRIBED" ? "success" : consent.state === "PENDING" ? "warning" : "neutral"}
                title={`${humanize(consent.source)}, ${formatDate(consent.updatedAt, locale)}`}>
                {consent.channel}: {humanize(consent.state)}
              </ToneChip>
            ))}
          </Box>
        )}
      </Box>
      {customer.segments.length > 0 && (
        <Text size={2} color="default2">Segments: {customer.segments.map((segment) => segment.name).join(", ")}</Text>
      )}
    </Box>
  );
};
