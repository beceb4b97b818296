import { Box, Button, Select, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { type MessageDescriptor, useIntl } from "react-intl";

import type { CampaignListQuery, CampaignListQueryVariables, CrmCampaignState } from "../../generated/graphql";
import { useCrmQuery } from "../api/use-crm-query";
import { useBridge } from "../bridge/bridge-provider";
import { formatDateTime, formatNumber, humanize } from "../format/format";
import { useRoute } from "../navigation/use-route";
import { Cell, DataTable, Section } from "../ui/layout";
import { EmptyState, QueryView } from "../ui/page-states";
import { CampaignCreateForm } from "./campaign-create-form";
import { CampaignDetail } from "./campaign-detail";
import { nextRefreshMs, useRefreshAfter } from "./live-refresh";
import CAMPAIGNS from "./campaigns.graphql?raw";

const STATES: CrmCampaignState[] = ["DRAFT", "SCHEDULED", "SENDING", "PAUSED", "SENT", "CANCELLED"];
const STATE_OPTIONS = [{ value: "", label: "All states" }, ...STATES.map((s) => ({ value: s, label: humanize(s) }))];

const messages = {
  following: {
    id: "campaigns.list.following",
    defaultMessage: "Following sending: this list updates by itself while a campaign is scheduled or sending.",
  },
} satisfies Record<string, MessageDescriptor>;

const CampaignsPage = () => {
  const intl = useIntl();
  const { route, navigate } = useRoute();
  const { state: bridge } = useBridge();
  const [state, setState] = useState<CrmCampaignState | null>(null);
  const [creating, setCreating] = useState(false);
  const [first, setFirst] = useState(20);
  const campaigns = useCrmQuery<CampaignListQuery, CampaignListQueryVariables>(CAMPAIGNS, { first, after: null, state }, {
    skip: Boolean(route.id),
  });
  // Follow sending without a reload: read again while a campaign is scheduled or sending, never otherwise.
  const shown = route.id ? [] : (campaigns.data?.crmCampaigns.edges.map(({ node }) => node) ?? []);
  const refreshIn = campaigns.loading || campaigns.error ? null : nextRefreshMs(shown);
  useRefreshAfter(refreshIn, campaigns.refetch, campaigns.data);

  if (route.id) return <CampaignDetail id={route.id} onBack={() => navigate({ page: "campaigns" })} />;

  return (
    <Box display="flex" flexDirection="column" gap={4} data-testid="campaigns-page">
      <Section
        title="New campaign"
        actions={
          <Button variant={creating ? "secondary" : "primary"} onClick={() => setCreating((on) => !on)} aria-expanded={creating}>
            {creating ? "Close" : "Create campaign"}
          </Button>
        }
      >
        {creating ? (
          <CampaignCreateForm onCreated={(id) => navigate({ page: "campaigns", id })} />
        ) : (
          <Text size={2} color="default2">A campaign sends one template to the customers of chosen segments.</Text>
        )}
      </Section>
      <Section
        title="Campaigns"
        actions={
          <Box __width="180px">
            <Select label="State" size="small" options={STATE_OPTIONS}
              value={STATE_OPTIONS.find((o) => o.value === (state ?? "")) ?? STATE_OPTIONS[0]}
              onChange={(option) => setState((option.value || null) as CrmCampaignState | null)} />
          </Box>
        }
      >
        <QueryView query={campaigns} loadingLabel="Loading campaigns…">
          {({ crmCampaigns }) =>
            crmCampaigns.edges.length === 0 ? (
              <EmptyState title="No campaigns">Create one above.</EmptyState>
            ) : (
              <>
                {refreshIn !== null && (
                  <Text size={2} color="default2" data-testid="campaigns-live">{intl.formatMessage(messages.following)}</Text>
                )}
                <DataTable caption="Campaigns" headers={["Campaign", "State", "Channel", "Template", "Scheduled", "Sent / recipients", ""]}>
                  {crmCampaigns.edges.map(({ node }) => (
                    <tr key={node.id}>
                      <Cell>{node.name}</Cell>
                      <Cell>{humanize(node.state)}</Cell>
                      <Cell>{node.channel}</Cell>
                      <Cell>{node.template.name}</Cell>
                      <Cell>{formatDateTime(node.scheduledAt, bridge.locale)}</Cell>
                      <Cell>
                        {formatNumber(node.totals.sent, bridge.locale)} / {formatNumber(node.totals.recipients, bridge.locale)}
                      </Cell>
                      <Cell>
                        <Button size="small" variant="tertiary" onClick={() => navigate({ page: "campaigns", id: node.id })}
                          aria-label={`Open campaign ${node.name}`}>
                          Open
                        </Button>
                      </Cell>
                    </tr>
                  ))}
                </DataTable>
                {crmCampaigns.pageInfo.hasNextPage && (
                  <Box>
                    <Button variant="secondary" onClick={() => setFirst((n) => n + 20)}>Show more</Button>
                  </Box>
                )}
              </>
            )
          }
        </QueryView>
      </Section>
    </Box>
  );
};

export default CampaignsPage;
