import { Box, Text } from "@saleor/macaw-ui";
import { useState } from "react";

import type {
  ProductChannelsQuery,
  ProductChannelsQueryVariables,
  ProductInsightQuery,
  ProductInsightQueryVariables,
  ProductRecommendationsQuery,
  ProductRecommendationsQueryVariables,
} from "../../generated/graphql";
import { useCrmQuery } from "../api/use-crm-query";
import { useBridge } from "../bridge/bridge-provider";
import { readEntityParams } from "../bridge/bridge-state";
import { formatDate, formatMoney, formatNumber, formatPercent } from "../format/format";
import { saleorPk } from "../saleor/saleor-ids";
import { Kpi, KpiGrid, Section } from "../ui/layout";
import { EmptyState, QueryView } from "../ui/page-states";
import { ChannelPicker } from "../channels/channel-picker";
import { boughtTogether } from "./product-rules";
import CHANNELS from "./product-channels.graphql?raw";
import INSIGHT from "./product-insight.graphql?raw";
import RECOMMENDATIONS from "./product-recommendations.graphql?raw";
import { RecommendationList } from "./recommendation-list";
import { MissingEntity, WidgetFrame } from "./widget-frame";

const RecommendationLists = ({ productId, channel }: { productId: string; channel: string }) => {
  const { state } = useBridge();
  const query = useCrmQuery<ProductRecommendationsQuery, ProductRecommendationsQueryVariables>(
    RECOMMENDATIONS,
    { channel, product: productId, first: 5 },
  );
  return (
    <QueryView query={query} loadingLabel="Loading recommendations…">
      {({ alsoBought, similar }) => (
        <Box display="grid" gap={3} __gridTemplateColumns="repeat(auto-fit, minmax(260px, 1fr))">
          <Box display="flex" flexDirection="column" gap={1} data-testid="also-bought">
            <Text size={3} fontWeight="bold">Also bought</Text>
            <RecommendationList items={boughtTogether(alsoBought)} locale={state.locale}
              emptyText="No order has it together with another product available in this channel yet." />
          </Box>
          <Box display="flex" flexDirection="column" gap={1} data-testid="similar">
            <Text size={3} fontWeight="bold">Similar</Text>
            <RecommendationList items={similar} locale={state.locale} emptyText="No similar products found." />
          </Box>
        </Box>
      )}
    </QueryView>
  );
};

/** Also bought / similar for a product, in one of the channels it is available in (the shop's default channel when
 * it is one, else the first). */
export const ProductRecommendations = ({ productId }: { productId: string }) => {
  const [chosen, setChosen] = useState(""); // the picker starts on the shop's default channel
  const channels = useCrmQuery<ProductChannelsQuery, ProductChannelsQueryVariables>(CHANNELS, { product: productId });
  return (
    <QueryView query={channels} loadingLabel="Finding the product's channels…">
      {({ crmProductChannels }) => {
        const channel = crmProductChannels.includes(chosen) ? chosen : "";
        if (crmProductChannels.length === 0) {
          return (
            <EmptyState title="Not available in any channel">
              Recommendations are made per channel; this product is not available in any channel now.
            </EmptyState>
          );
        }
        return (
          <Box display="flex" flexDirection="column" gap={2}>
            <ChannelPicker only={crmProductChannels} value={channel} onChange={setChosen} width="240px"
              testId="recommendation-channel" />
            {channel && <RecommendationLists productId={productId} channel={channel} />}
          </Box>
        );
      }}
    </QueryView>
  );
};

const Buyers = ({ productId }: { productId: string }) => {
  const { state } = useBridge();
  const query = useCrmQuery<ProductInsightQuery, ProductInsightQueryVariables>(INSIGHT, { product: productId });
  return (
    <QueryView query={query} loadingLabel="Counting buyers…">
      {({ crmProductInsight: insight }) =>
        insight.buyers === 0 ? (
          <EmptyState title="No buyers yet">No counted order has this product yet.</EmptyState>
        ) : (
          <KpiGrid>
            <Kpi label="Buyers" value={formatNumber(insight.buyers, state.locale)}
              hint={`last order ${formatDate(insight.lastOrderedAt, state.locale)}`} />
            <Kpi label="Repeat rate" value={formatPercent(insight.repeatRate, state.locale)}
              hint={`${formatNumber(insight.repeatBuyers, state.locale)} ordered it again`} />
            <Kpi label="Orders" value={formatNumber(insight.orders, state.locale)}
              hint={`${formatNumber(insight.units, state.locale)} units`} />
            {insight.revenue.map(({ currency, revenue }) => (
              <Kpi key={currency} label={`Revenue (${currency})`}
                value={formatMoney(revenue.amount, revenue.currency, state.locale)} />
            ))}
          </KpiGrid>
        )
      }
    </QueryView>
  );
};

/** PRODUCT_DETAILS_WIDGETS: buyers, how many order it again, revenue; also bought / similar. */
export const ProductWidget = () => {
  const { productId } = readEntityParams(window.location.href);
  const productPk = productId ? saleorPk(productId, "Product") : null;
  return (
    <WidgetFrame title="CRM for this product" testId="product-widget">
      {!productId || productPk === null ? (
        <MissingEntity what="product" />
      ) : (
        <>
          <Section title="Buyers">
            <Buyers productId={productId} />
          </Section>
          <Section title="Recommendations">
            <ProductRecommendations productId={productId} />
          </Section>
        </>
      )}
    </WidgetFrame>
  );
};
