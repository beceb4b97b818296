import { Box, Select, Text } from "@saleor/macaw-ui";
import { useState } from "react";

import type {
  ProductBuyersQuery,
  ProductChannelsQuery,
  ProductChannelsQueryVariables,
  ProductBuyersQueryVariables,
  ProductRecommendationsQuery,
  ProductRecommendationsQueryVariables,
} from "../../generated/graphql";
import { useCrmQuery } from "../api/use-crm-query";
import { useBridge } from "../bridge/bridge-provider";
import { readEntityParams } from "../bridge/bridge-state";
import { formatNumber, formatPercent } from "../format/format";
import { saleorPk } from "../saleor/saleor-ids";
import { Kpi, KpiGrid, Section } from "../ui/layout";
import { EmptyState, QueryView } from "../ui/page-states";
import { recommendationChannel } from "./customer-figures";
import { productBuyerRules } from "./product-rules";
import BUYERS from "./product-buyers.graphql?raw";
import CHANNELS from "./product-channels.graphql?raw";
import RECOMMENDATIONS from "./product-recommendations.graphql?raw";
import { RecommendationList } from "./recommendation-list";
import { MissingEntity, WidgetFrame } from "./widget-frame";

const ChannelPicker = ({ channels, value, onChange }: { channels: string[]; value: string; onChange: (slug: string) => void }) => {
  if (channels.length < 2) {
    return (
      <Text size={2} color="default2" data-testid="recommendation-channel">
        Channel: {value}
      </Text>
    );
  }
  const options = channels.map((slug) => ({ value: slug, label: slug }));
  return (
    <Box __width="220px">
      <Select label="Channel" size="small" options={options}
        value={options.find((option) => option.value === value) ?? null} onChange={(option) => onChange(option.value)} />
    </Box>
  );
};

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
            <RecommendationList items={alsoBought} locale={state.locale} emptyText="No orders together with it yet." />
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

/** Also bought / similar for a product, in one of the channels it is available in (the first by default). */
export const ProductRecommendations = ({ productId }: { productId: string }) => {
  const [chosen, setChosen] = useState<string | null>(null);
  const channels = useCrmQuery<ProductChannelsQuery, ProductChannelsQueryVariables>(CHANNELS, { product: productId });
  return (
    <QueryView query={channels} loadingLabel="Finding the product's channels…">
      {({ crmProductChannels }) => {
        const channel = recommendationChannel(crmProductChannels, chosen);
        if (!channel) {
          return (
            <EmptyState title="Not available in any channel">
              Recommendations are made per channel; this product is not available in any channel now.
            </EmptyState>
          );
        }
        return (
          <Box display="flex" flexDirection="column" gap={2}>
            <ChannelPicker channels={crmProductChannels} value={channel} onChange={setChosen} />
            <RecommendationLists productId={productId} channel={channel} />
          </Box>
        );
      }}
    </QueryView>
  );
};

const Buyers = ({ productPk }: { productPk: number }) => {
  const { state } = useBridge();
  const query = useCrmQuery<ProductBuyersQuery, ProductBuyersQueryVariables>(BUYERS, productBuyerRules(productPk));
  return (
    <QueryView query={query} loadingLabel="Counting buyers…">
      {({ buyers, repeatBuyers }) => (
        <Box display="flex" flexDirection="column" gap={2}>
          <KpiGrid>
            <Kpi label="Buyers" value={formatNumber(buyers.count, state.locale)} />
            <Kpi label="Buyers with 2+ orders" value={formatNumber(repeatBuyers.count, state.locale)}
              hint={buyers.count ? `${formatPercent(repeatBuyers.count / buyers.count, state.locale)} of buyers` : undefined} />
          </KpiGrid>
          {buyers.sample.length > 0 && (
            <Text size={2} color="default2">
              e.g. {buyers.sample.slice(0, 5).map((buyer) => buyer.email ?? "anonymous").join(", ")}
            </Text>
          )}
        </Box>
      )}
    </QueryView>
  );
};

/** PRODUCT_DETAILS_WIDGETS: also bought / similar, buyers and how many of them come back. */
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
            <Buyers productPk={productPk} />
          </Section>
          <Section title="Recommendations">
            <ProductRecommendations productId={productId} />
          </Section>
        </>
      )}
    </WidgetFrame>
  );
};
