import { Box, Text } from "@saleor/macaw-ui";

import type { CustomerRecordQuery } from "../../generated/graphql";
import { formatDate, formatMoney, formatNumber, formatPercent, humanize } from "../format/format";
import { ChurnRiskChip, RfmChip, ToneChip } from "../ui/chips";
import { Kpi, KpiGrid } from "../ui/layout";
import { mainCurrency } from "./customer-figures";
import { basisInWords, chanceInWords, reasonsInWords } from "./propensity-words";

export type CustomerRecord = NonNullable<CustomerRecordQuery["crmCustomer"]>;

/** The chance the customer orders soon (the nightly propensity), how far to trust it and why. */
const ResponsePropensity = ({ propensity, locale }: { propensity: CustomerRecord["propensity"]; locale: string }) => {
  if (!propensity) {
    return <Text size={2} color="default2">Likelihood to respond: not scored yet (the propensity runs nightly).</Text>;
  }
  const reasons = reasonsInWords(propensity.reasons, 3, locale);
  return (
    <Box display="flex" flexDirection="column" gap={1} data-testid="customer-propensity">
      <Text size={3} fontWeight="bold">Likelihood to respond</Text>
      <Text size={3}>{chanceInWords(propensity, locale)}</Text>
      <Text size={2} color="default2">{basisInWords(propensity)} · scored {formatDate(propensity.scoredAt, locale)}</Text>
      {reasons.length > 0 && (
        <Box as="ul" margin={0} paddingLeft={4} aria-label="Strongest reasons">
          {reasons.map((reason) => <li key={reason}><Text size={2}>{reason}</Text></li>)}
        </Box>
      )}
    </Box>
  );
};

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
      {(customer.email || customer.phone) && (
        <Text size={2} color="default2" data-testid="customer-contact">
          {[name ? customer.email : null, customer.phone].filter(Boolean).join(" · ")}
        </Text>
      )}
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
      <ResponsePropensity propensity={customer.propensity} locale={locale} />
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
