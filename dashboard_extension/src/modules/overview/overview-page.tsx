import { Box, Select, Text } from "@saleor/macaw-ui";
import { lazy, Suspense, useState } from "react";

import type { OverviewReportQuery, OverviewReportQueryVariables } from "../../generated/graphql";
import { useCrmQuery } from "../api/use-crm-query";
import { useBridge } from "../bridge/bridge-provider";
import { formatMoney, formatNumber, formatPercent, humanize } from "../format/format";
import { Cell, DataTable, Kpi, KpiGrid, Section } from "../ui/layout";
import { EmptyState, LoadingState, QueryView } from "../ui/page-states";
import { SatisfactionSection } from "../satisfaction/satisfaction-section";
import { CohortHeatmap } from "./cohort-heatmap";
import { PropensityModelSection } from "./propensity-model";
import REPORT from "./report.graphql?raw";
import { RecomputeNow } from "./recompute-now";
import { revenueRows, rfmDistribution, totalsByCurrency } from "./rfm";

const RfmChart = lazy(() => import("./rfm-chart"));

type Report = OverviewReportQuery["crmReport"];

const RfmSection = ({ report, locale }: { report: Report; locale: string }) => {
  const totals = totalsByCurrency(report.rfmGroups);
  const [chosen, setChosen] = useState<string | null>(null);
  const currency = chosen ?? totals[0]?.currency ?? null;
  if (!currency) {
    return (
      <Section title="RFM distribution">
        <EmptyState title="No RFM scores yet">
          Customers are scored right after the first import of the shop&apos;s history, every night, and when you
          recompute now.
        </EmptyState>
      </Section>
    );
  }
  const bars = rfmDistribution(report.rfmGroups, currency);
  const options = totals.map((total) => ({ value: total.currency, label: total.currency }));
  return (
    <Section
      title="RFM distribution"
      actions={
        <Box __width="140px">
          <Select
            label="Currency"
            size="small"
            options={options}
            value={options.find((option) => option.value === currency) ?? null}
            onChange={(option) => setChosen(option.value)}
          />
        </Box>
      }
    >
      <Suspense fallback={<LoadingState label="Loading chart…" rows={1} />}>
        <RfmChart bars={bars} />
      </Suspense>
      <DataTable caption={`Customers per RFM group (${currency})`} headers={["Group", "Customers", "Revenue", "12-month CLV"]}>
        {bars
          .filter((bar) => bar.customers > 0)
          .map((bar) => (
            <tr key={bar.group}>
              <Cell>{humanize(bar.group)}</Cell>
              <Cell>{formatNumber(bar.customers, locale)}</Cell>
              <Cell>{formatMoney(bar.revenue, currency, locale)}</Cell>
              <Cell>{formatMoney(bar.clv12m, currency, locale)}</Cell>
            </tr>
          ))}
      </DataTable>
    </Section>
  );
};

const OverviewPage = () => {
  const { state } = useBridge();
  const locale = state.locale;
  const query = useCrmQuery<OverviewReportQuery, OverviewReportQueryVariables>(REPORT, { months: 12 });

  return (
    <QueryView query={query} loadingLabel="Loading the report…">
      {({ crmReport: report }) => (
        <Box display="flex" flexDirection="column" gap={4} data-testid="overview-page">
          <KpiGrid>
            <Kpi label="Customers" value={formatNumber(report.customers, locale)} />
            <Kpi label="Repeat customers" value={formatNumber(report.repeatCustomers, locale)} />
            <Kpi label="Repeat purchase rate" value={formatPercent(report.repeatPurchaseRate, locale)} />
          </KpiGrid>
          <Section title="Revenue per currency">
            {report.revenue.length === 0 ? (
              <EmptyState title="No revenue yet">Revenue appears with the first order the CRM records.</EmptyState>
            ) : (
              <DataTable
                caption="Revenue per currency"
                headers={["Currency", "Customers", "Orders", "Revenue", "12-month CLV"]}
              >
                {revenueRows(report.revenue, report.rfmGroups).map((row) => (
                  <tr key={row.currency} data-testid={`revenue-${row.currency}`}>
                    <Cell>{row.currency}</Cell>
                    <Cell>{formatNumber(row.customers, locale)}</Cell>
                    <Cell>{formatNumber(row.orders, locale)}</Cell>
                    <Cell>{formatMoney(row.amount, row.currency, locale)}</Cell>
                    <Cell>{row.clv12m === null ? "Not scored yet" : formatMoney(row.clv12m, row.currency, locale)}</Cell>
                  </tr>
                ))}
              </DataTable>
            )}
          </Section>
          <Section title="Scores and segments">
            <RecomputeNow locale={locale} onDone={query.refetch} />
          </Section>
          <RfmSection report={report} locale={locale} />
          <Section title="Cohort retention">
            <CohortHeatmap cohorts={report.cohorts} locale={locale} />
          </Section>
          <SatisfactionSection locale={locale} />
          <PropensityModelSection model={report.propensity} locale={locale} />
          <Section title="Segments">
            {report.segments.length === 0 ? (
              <EmptyState title="No segments yet" />
            ) : (
              <DataTable caption="Members and revenue per segment" headers={["Segment", "Members", "Revenue"]}>
                {report.segments.map((segment) => (
                  <tr key={segment.segmentId}>
                    <Cell>{segment.name}</Cell>
                    <Cell>{formatNumber(segment.members, locale)}</Cell>
                    <Cell>
                      {segment.revenue.length === 0
                        ? "—"
                        : segment.revenue.map((row) => formatMoney(row.amount, row.currency, locale)).join(" · ")}
                    </Cell>
                  </tr>
                ))}
              </DataTable>
            )}
          </Section>
          <Text size={2} color="default2">
            Money is shown per currency and never converted.
          </Text>
        </Box>
      )}
    </QueryView>
  );
};

export default OverviewPage;
