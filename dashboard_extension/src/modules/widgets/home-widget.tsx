import { Box, Text } from "@saleor/macaw-ui";

import type { HomeSummaryQuery, HomeSummaryQueryVariables } from "../../generated/graphql";
import { useCrmQuery } from "../api/use-crm-query";
import { useBridge } from "../bridge/bridge-provider";
import { formatNumber, formatPercent, humanize } from "../format/format";
import { Kpi, KpiGrid } from "../ui/layout";
import { QueryView } from "../ui/page-states";
import HOME from "./home-summary.graphql?raw";
import { AT_RISK_RULE } from "./product-rules";
import { WidgetFrame } from "./widget-frame";

/** HOMEPAGE_WIDGETS: repeat rate, customers at risk, the latest campaigns' results. */
export const HomeWidget = () => {
  const { state } = useBridge();
  const locale = state.locale;
  const query = useCrmQuery<HomeSummaryQuery, HomeSummaryQueryVariables>(HOME, { atRisk: AT_RISK_RULE });
  return (
    <WidgetFrame title="CRM at a glance" testId="home-widget">
      <QueryView query={query} loadingLabel="Loading CRM figures…">
        {({ crmReport, atRisk, crmCampaigns }) => (
          <>
            <KpiGrid>
              <Kpi label="Repeat purchase rate" value={formatPercent(crmReport.repeatPurchaseRate, locale)}
                hint={`of ${formatNumber(crmReport.customers, locale)} customers`} />
              <Kpi label="Customers at risk" value={formatNumber(atRisk.count, locale)} hint="RFM: at risk or can't lose" />
            </KpiGrid>
            <Box display="flex" flexDirection="column" gap={1}>
              <Text size={3} fontWeight="bold">Latest campaigns</Text>
              {crmCampaigns.edges.length === 0 ? (
                <Text size={2} color="default2">No campaigns yet.</Text>
              ) : (
                crmCampaigns.edges.map(({ node }) => (
                  <Text size={2} key={node.id}>
                    {node.name} · {humanize(node.state)} · {formatNumber(node.totals.sent, locale)} of{" "}
                    {formatNumber(node.totals.recipients, locale)} sent
                    {node.totals.failed ? `, ${node.totals.failed} failed` : ""}
                  </Text>
                ))
              )}
            </Box>
          </>
        )}
      </QueryView>
    </WidgetFrame>
  );
};
