import { Box, Button, Text } from "@saleor/macaw-ui";
import type { ReactNode } from "react";

import type { PageAction } from "./cursor-pages";

type PageInfo = { hasNextPage: boolean; endCursor: string | null };

/** A paged list's footer: which page and how many (announced politely), Previous and Next. */
export const Pager = ({ page, pageInfo, loading, onTurn, children }: {
  page: number;
  pageInfo: PageInfo;
  loading: boolean;
  onTurn: (action: PageAction) => void;
  children: ReactNode; // what the list counts, e.g. "12 customers"
}) => (
  <Box display="flex" gap={2} alignItems="center" justifyContent="space-between">
    <Text size={2} color="default2" aria-live="polite">
      Page {page} · {children}
      {loading ? " · updating…" : ""}
    </Text>
    <Box display="flex" gap={2}>
      <Button variant="secondary" disabled={page <= 1} onClick={() => onTurn({ type: "previous" })}>
        Previous
      </Button>
      <Button
        variant="secondary"
        disabled={!pageInfo.hasNextPage || !pageInfo.endCursor}
        onClick={() => pageInfo.endCursor && onTurn({ type: "next", endCursor: pageInfo.endCursor })}
      >
        Next
      </Button>
    </Box>
  </Box>
);
