import { Box, Text } from "@saleor/macaw-ui";

import { formatNumber, humanize } from "../format/format";
import { saleorPk } from "../saleor/saleor-ids";
import { OpenInDashboardButton } from "../ui/open-in-dashboard";
import { EmptyState } from "../ui/page-states";

type Item = { productId: string; productName?: string | null; score: number; reason: string };

/** Recommended products with their reason; names from the CRM's snapshot of the catalog. */
export const RecommendationList = ({ items, locale, emptyText }: { items: Item[]; locale: string; emptyText: string }) => {
  if (items.length === 0) return <EmptyState title="Nothing to recommend yet">{emptyText}</EmptyState>;
  return (
    <Box as="ol" display="flex" flexDirection="column" gap={1} padding={0} margin={0} style={{ listStyle: "none" }}>
      {items.map((item) => {
        const name = item.productName ?? undefined;
        const pk = saleorPk(item.productId, "Product");
        const fallback = pk === null ? `Product ${item.productId}` : `Product #${pk}`;
        return (
          <Box as="li" key={item.productId} display="flex" justifyContent="space-between" alignItems="center" gap={2}>
            <Box display="flex" flexDirection="column">
              <Text size={3}>{name ?? fallback}</Text>
              <Text size={2} color="default2">
                {humanize(item.reason)} · score {formatNumber(item.score, locale, 2)}
              </Text>
            </Box>
            <OpenInDashboardButton kind="product" id={item.productId} subject={name ?? fallback} />
          </Box>
        );
      })}
    </Box>
  );
};
