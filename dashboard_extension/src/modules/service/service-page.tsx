import { Box, Button, Select, Text } from "@saleor/macaw-ui";
import { useReducer } from "react";

import type { CrmServiceRequestStatus, ServiceRequestsQuery, ServiceRequestsQueryVariables } from "../../generated/graphql";
import { useCrmQuery } from "../api/use-crm-query";
import { useBridge } from "../bridge/bridge-provider";
import { formatDateTime, formatDuration, formatNumber, humanize } from "../format/format";
import { useRoute } from "../navigation/use-route";
import { ToneChip } from "../ui/chips";
import { Cell, DataTable, Section } from "../ui/layout";
import { EmptyState, QueryView } from "../ui/page-states";
import { Pager } from "../ui/pager";
import { TextInput } from "../ui/text-input";
import {
  initialQueueState, type QueueSort, queuePageNumber, queueReady, queueReducer, SORT_OPTIONS, toQueueVariables,
  VALUE_SORTS,
} from "./service-queue-state";
import { ServiceRequestDetail } from "./service-request-detail";
import SERVICE_REQUESTS from "./service-requests.graphql?raw";
import { customerName, STATUS_TONES } from "./service-words";

const STATUS_OPTIONS: { value: CrmServiceRequestStatus | ""; label: string }[] = [
  { value: "OPEN", label: "Open" },
  { value: "ANSWERED", label: "Answered" },
  { value: "CLOSED", label: "Closed" },
  { value: "", label: "All" },
];

const ServiceQueue = ({ onOpen }: { onOpen: (id: string) => void }) => {
  const { state: bridge } = useBridge();
  const locale = bridge.locale;
  const [state, dispatch] = useReducer(queueReducer, undefined, initialQueueState);
  const ready = queueReady(state);
  const requests = useCrmQuery<ServiceRequestsQuery, ServiceRequestsQueryVariables>(SERVICE_REQUESTS, toQueueVariables(state), {
    skip: !ready,
  });
  return (
    <Section title="Service requests">
      <Box display="flex" gap={3} flexWrap="wrap" alignItems="flex-end">
        <Box __width="180px">
          <Select label="Status" options={STATUS_OPTIONS}
            value={STATUS_OPTIONS.find((option) => option.value === (state.status ?? "")) ?? STATUS_OPTIONS[0]}
            onChange={(option) => dispatch({ type: "status", status: (option.value || null) as CrmServiceRequestStatus | null })} />
        </Box>
        <Box __width="240px">
          <Select label="Sort by" options={SORT_OPTIONS}
            value={SORT_OPTIONS.find((option) => option.value === state.sort) ?? SORT_OPTIONS[0]}
            onChange={(option) => dispatch({ type: "sort", sort: option.value as QueueSort })} />
        </Box>
        {VALUE_SORTS.has(state.sort) && (
          <Box __width="120px">
            <TextInput label="Currency" value={state.currency} maxLength={3}
              onChange={(event) => dispatch({ type: "currency", currency: event.target.value })} />
          </Box>
        )}
      </Box>
      {!ready ? (
        <Text size={2} color="default2">Enter a three-letter currency code (e.g. USD) to sort by customer value.</Text>
      ) : (
        <QueryView query={requests} loadingLabel="Loading the service queue…">
          {({ crmServiceRequests: page }) => (
            <Box display="flex" flexDirection="column" gap={3} data-testid="service-page">
              {page.edges.length === 0 ? (
                <EmptyState title={state.status ? `No ${humanize(state.status).toLowerCase()} requests` : "No requests yet"}>
                  Customers write from the storefront; low survey scores open a request too.
                </EmptyState>
              ) : (
                <DataTable caption="Service requests"
                  headers={["Request", "Customer", "Status", "Opened", "Last message", "First response", ""]}>
                  {page.edges.map(({ node }) => (
                    <tr key={node.id}>
                      <Cell>
                        <Box display="flex" flexDirection="column">
                          <span>{node.subject || humanize(node.kind)}</span>
                          <Text size={2} color="default2">
                            {humanize(node.kind)}{node.orderNumber ? ` · order ${node.orderNumber}` : ""}
                          </Text>
                        </Box>
                      </Cell>
                      <Cell>{customerName(node.customer)}</Cell>
                      <Cell><ToneChip tone={STATUS_TONES[node.status]}>{humanize(node.status)}</ToneChip></Cell>
                      <Cell>{formatDateTime(node.createdAt, locale)}</Cell>
                      <Cell>{formatDateTime(node.lastMessageAt, locale)}</Cell>
                      <Cell>{formatDuration(node.firstResponseSeconds, locale)}</Cell>
                      <Cell>
                        <Button size="small" variant="tertiary" onClick={() => onOpen(node.id)}
                          aria-label={`Open request ${node.subject || humanize(node.kind)}`}>
                          Open
                        </Button>
                      </Cell>
                    </tr>
                  ))}
                </DataTable>
              )}
              <Pager page={queuePageNumber(state)} pageInfo={page.pageInfo} loading={requests.loading} onTurn={dispatch}>
                {formatNumber(page.totalCount, locale)} {page.totalCount === 1 ? "request" : "requests"}
              </Pager>
            </Box>
          )}
        </QueryView>
      )}
    </Section>
  );
};

const ServicePage = () => {
  const { route, navigate } = useRoute();
  if (route.id) return <ServiceRequestDetail id={route.id} onBack={() => navigate({ page: "service" })} />;
  return <ServiceQueue onOpen={(id) => navigate({ page: "service", id })} />;
};

export default ServicePage;
