import { Box, Button, Select, Text } from "@saleor/macaw-ui";
import { type FormEvent, useReducer, useState } from "react";

import type {
  CrmCustomerSortField,
  CrmOrderDirection,
  CustomerListQuery,
  CustomerListQueryVariables,
  SegmentOptionsQuery,
} from "../../generated/graphql";
import { useCrmQuery } from "../api/use-crm-query";
import { useBridge } from "../bridge/bridge-provider";
import { formatDate, formatMoney, formatNumber, formatPercent } from "../format/format";
import { parseRoute } from "../navigation/routes";
import { ChurnRiskChip, RfmChip } from "../ui/chips";
import { Cell, DataTable, Section } from "../ui/layout";
import { OpenInDashboardButton } from "../ui/open-in-dashboard";
import { Pager } from "../ui/pager";
import { EmptyState, QueryView } from "../ui/page-states";
import {
  initialListState, listReducer, pageNumber, SCORE_SORTS, SORT_OPTIONS, toQueryVariables,
} from "./customer-list-state";
import CUSTOMERS from "./customers.graphql?raw";
import SEGMENT_OPTIONS from "./segment-options.graphql?raw";
import { TextInput } from "../ui/text-input";

const ALL_SEGMENTS = { value: "", label: "All customers" };
const DIRECTIONS: { value: CrmOrderDirection; label: string }[] = [
  { value: "DESC", label: "Descending" },
  { value: "ASC", label: "Ascending" },
];

type CustomerRow = CustomerListQuery["crmCustomers"]["edges"][number]["node"];

const CustomerRowView = ({ customer, locale }: { customer: CustomerRow; locale: string }) => {
  // One analytics row per currency: show the one the customer spent most in.
  const main = [...customer.analytics].sort((a, b) => b.clv12m.amount - a.clv12m.amount)[0];
  const name = `${customer.firstName} ${customer.lastName}`.trim();
  return (
    <tr>
      <Cell>
        <Box display="flex" flexDirection="column">
          <span>{name || customer.email || "Anonymous"}</span>
          {((name && customer.email) || customer.phone) && (
            <Text size={2} color="default2">
              {[name ? customer.email : null, customer.phone].filter(Boolean).join(" · ")}
            </Text>
          )}
        </Box>
      </Cell>
      <Cell>{formatNumber(customer.orderCount, locale)}</Cell>
      <Cell>{formatDate(customer.lastOrderAt, locale)}</Cell>
      <Cell>
        {customer.spend.map((spend) => formatMoney(spend.revenue.amount, spend.currency, locale)).join(" · ") || "—"}
      </Cell>
      <Cell>{main ? formatMoney(main.clv12m.amount, main.clv12m.currency, locale) : "—"}</Cell>
      <Cell>
        <RfmChip group={main?.rfmGroup} />
      </Cell>
      <Cell>
        <ChurnRiskChip risk={main?.churnRisk} locale={locale} />
      </Cell>
      <Cell>
        {customer.propensity ? (
          <span title={`Within ${customer.propensity.horizonDays} days; ${customer.propensity.confidence} confidence`}>
            {formatPercent(customer.propensity.probability, locale, 0)}
          </span>
        ) : (
          <Text size={2} color="default2">Not scored</Text>
        )}
      </Cell>
      <Cell>
        {customer.userId ? (
          <OpenInDashboardButton kind="customer" id={customer.userId} subject={name || customer.email || "customer"} />
        ) : (
          <Text size={2} color="default2">
            Guest
          </Text>
        )}
      </Cell>
    </tr>
  );
};

const CustomersPage = () => {
  const { state: bridge } = useBridge();
  const locale = bridge.locale;
  const [state, dispatch] = useReducer(listReducer, parseRoute(window.location.hash).params.segment ?? null, initialListState);
  const [searchDraft, setSearchDraft] = useState("");
  const segments = useCrmQuery<SegmentOptionsQuery, Record<string, never>>(SEGMENT_OPTIONS, {});
  const customers = useCrmQuery<CustomerListQuery, CustomerListQueryVariables>(CUSTOMERS, toQueryVariables(state));

  const segmentOptions = [
    ALL_SEGMENTS,
    ...(segments.data?.crmSegments ?? []).map((segment) => ({
      value: segment.id,
      label: `${segment.name} (${segment.memberCount})`,
    })),
  ];
  const onSearch = (event: FormEvent) => {
    event.preventDefault();
    dispatch({ type: "search", search: searchDraft });
  };

  return (
    <Section title="Customers">
      <Box display="flex" gap={3} flexWrap="wrap" alignItems="flex-end">
        <Box __width="260px">
          <Select
            label="Segment"
            options={segmentOptions}
            value={segmentOptions.find((option) => option.value === (state.segment ?? "")) ?? ALL_SEGMENTS}
            onChange={(option) => dispatch({ type: "segment", segment: option.value || null })}
            disabled={segments.loading && !segments.data}
            data-testid="segment-filter"
          />
        </Box>
        <Box __width="200px">
          <Select
            label="Sort by"
            options={SORT_OPTIONS}
            value={SORT_OPTIONS.find((option) => option.value === state.sort) ?? SORT_OPTIONS[0]}
            onChange={(option) => dispatch({ type: "sort", sort: option.value as CrmCustomerSortField })}
          />
        </Box>
        {SCORE_SORTS.has(state.sort) && (
          <Box __width="120px">
            <TextInput
              label="Currency"
              value={state.currency}
              maxLength={3}
              onChange={(event) => dispatch({ type: "currency", currency: event.target.value })}
            />
          </Box>
        )}
        <Box __width="160px">
          <Select
            label="Order"
            options={DIRECTIONS}
            value={DIRECTIONS.find((option) => option.value === state.direction) ?? DIRECTIONS[0]}
            onChange={(option) => dispatch({ type: "direction", direction: option.value as CrmOrderDirection })}
          />
        </Box>
        <Box as="form" display="flex" gap={2} alignItems="center" onSubmit={onSearch} role="search">
          <TextInput
            label="Search email, name, phone or order number"
            value={searchDraft}
            onChange={(event) => setSearchDraft(event.target.value)}
          />
          <Button type="submit" variant="secondary">
            Search
          </Button>
        </Box>
      </Box>
      {segments.error ? (
        <Text size={2} color="critical1">
          Segments could not be loaded; the list shows all customers.
        </Text>
      ) : null}
      <QueryView query={customers} loadingLabel="Loading customers…">
        {({ crmCustomers: page }) => (
          <Box display="flex" flexDirection="column" gap={3} data-testid="customers-page">
            {page.edges.length === 0 ? (
              <EmptyState title="No customers match">Try another segment or search.</EmptyState>
            ) : (
              <DataTable
                caption="Customers"
                headers={["Customer", "Orders", "Last order", "Revenue", "12-month CLV", "RFM group", "Churn risk", "Likely to order", ""]}
              >
                {page.edges.map(({ node }) => (
                  <CustomerRowView key={node.id} customer={node} locale={locale} />
                ))}
              </DataTable>
            )}
            <Pager page={pageNumber(state)} pageInfo={page.pageInfo} loading={customers.loading} onTurn={dispatch}>
              {formatNumber(page.totalCount, locale)} customers
            </Pager>
          </Box>
        )}
      </QueryView>
    </Section>
  );
};

export default CustomersPage;
