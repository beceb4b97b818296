import { Box, Checkbox, Text } from "@saleor/macaw-ui";
import { useState } from "react";

import type { CustomerTimelineQuery, CustomerTimelineQueryVariables } from "../../generated/graphql";
import { useCrmQuery } from "../api/use-crm-query";
import { formatDateTime } from "../format/format";
import { ErrorState, LoadingState } from "../ui/page-states";
import TIMELINE from "./customer-timeline.graphql?raw";
import { timelineLabel } from "./timeline-kinds";

type Entry = CustomerTimelineQuery extends { crmCustomer?: infer C }
  ? NonNullable<C> extends { timeline: (infer E)[] }
    ? E
    : never
  : never;

const Entries = ({ entries, raw, locale }: { entries: Entry[]; raw: boolean; locale: string }) =>
  entries.length === 0 ? (
    <Text size={2} color="default2">Nothing has happened yet.</Text>
  ) : (
    <Box as="ol" display="flex" flexDirection="column" gap={1} padding={0} margin={0} style={{ listStyle: "none" }}
      data-testid={raw ? "timeline-raw" : "timeline-facts"}>
      {entries.map((entry, index) => (
        <Box as="li" key={`${entry.at}-${index}`} display="flex" gap={2} data-kind={entry.kind}>
          <Text size={2} color="default2" __minWidth="150px">{formatDateTime(entry.at, locale)}</Text>
          <Text size={2}>
            <strong>{raw ? entry.kind : timelineLabel(entry.kind)}</strong> {entry.text}
          </Text>
        </Box>
      ))}
    </Box>
  );

/** The customer's record of every touch, newest first; the raw events behind a toggle. */
export const CustomerTimeline = ({ customerId, facts, first, locale }: {
  customerId: string;
  facts: Entry[];
  first: number;
  locale: string;
}) => {
  const [raw, setRaw] = useState(false);
  const query = useCrmQuery<CustomerTimelineQuery, CustomerTimelineQueryVariables>(
    TIMELINE, { id: customerId, first, raw: true }, { skip: !raw },
  );
  return (
    <Box display="flex" flexDirection="column" gap={2} data-testid="customer-timeline">
      <Checkbox checked={raw} onCheckedChange={(checked) => setRaw(checked === true)} data-testid="timeline-raw-toggle">
        <Text size={2}>Show raw events</Text>
      </Checkbox>
      {!raw ? (
        <Entries entries={facts} raw={false} locale={locale} />
      ) : query.error ? (
        <ErrorState error={query.error} onRetry={query.refetch} />
      ) : !query.data ? (
        <LoadingState rows={3} />
      ) : (
        <Entries entries={query.data.crmCustomer?.timeline ?? []} raw locale={locale} />
      )}
    </Box>
  );
};
