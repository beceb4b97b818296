import { Box, Button, Select, Text } from "@saleor/macaw-ui";
import { useEffect, useState } from "react";
import { type MessageDescriptor, useIntl } from "react-intl";

import type {
  CampaignCancelMutation,
  CampaignDetailQuery,
  CampaignDetailQueryVariables,
  CampaignPauseMutation,
  CampaignResumeMutation,
  CampaignScheduleMutation,
  CrmDeliveryState,
} from "../../generated/graphql";
import { assertPayload, describeError } from "../api/crm-client";
import { useCrmMutation, useCrmQuery } from "../api/use-crm-query";
import { notifyDashboard } from "../bridge/bridge";
import { useBridge } from "../bridge/bridge-provider";
import { formatDateTime, formatNumber, formatPercent, humanize } from "../format/format";
import { Cell, DataTable, Kpi, KpiGrid, Section } from "../ui/layout";
import { EmptyState, QueryView } from "../ui/page-states";
import { reasonLabel } from "../automations/automation-stats";
import { describeAudienceOptions } from "./audience-options";
import { allowedActions, type CampaignAction, scheduleAt, shareOf } from "./campaign-actions";
import { CampaignResults, PauseReason } from "./campaign-results-view";
import CANCEL from "./campaign-cancel.graphql?raw";
import PAUSE from "./campaign-pause.graphql?raw";
import RESUME from "./campaign-resume.graphql?raw";
import SCHEDULE from "./campaign-schedule.graphql?raw";
import CAMPAIGN from "./campaign.graphql?raw";
import { nextRefreshMs, useRefreshAfter } from "./live-refresh";
import { TextInput } from "../ui/text-input";

const DELIVERY_STATES: CrmDeliveryState[] = ["QUEUED", "SENDING", "SENT", "SKIPPED", "FAILED", "UNKNOWN", "CANCELLED"];
const STATE_OPTIONS = [{ value: "", label: "All deliveries" }, ...DELIVERY_STATES.map((s) => ({ value: s, label: humanize(s) }))];
const PAGE = 25;
// From the start on, a campaign has mails to follow up (a cancelled one may have sent some before).
const STARTED_STATES = new Set(["SENDING", "PAUSED", "SENT"]);

const messages = {
  following: {
    id: "campaigns.detail.following",
    defaultMessage: "Following sending: the state and counts update by themselves.",
  },
} satisfies Record<string, MessageDescriptor>;

type Campaign = NonNullable<CampaignDetailQuery["crmCampaign"]>;
type Payload = { errors: { field: string | null; message: string; code: string }[] } | null | undefined;

const CampaignControls = ({ campaign, onChanged }: { campaign: Campaign; onChanged: () => void }) => {
  const [when, setWhen] = useState("");
  const [error, setError] = useState<unknown>(null);
  const schedule = useCrmMutation<CampaignScheduleMutation, { id: string; at: string | null }>(SCHEDULE);
  const pause = useCrmMutation<CampaignPauseMutation, { id: string }>(PAUSE);
  const resume = useCrmMutation<CampaignResumeMutation, { id: string }>(RESUME);
  const cancel = useCrmMutation<CampaignCancelMutation, { id: string }>(CANCEL);
  const pending = schedule.pending || pause.pending || resume.pending || cancel.pending;

  const act = async (action: CampaignAction) => {
    setError(null);
    try {
      let payload: Payload;
      if (action === "schedule") payload = (await schedule.run({ id: campaign.id, at: scheduleAt(when) })).crmCampaignSchedule;
      else if (action === "pause") payload = (await pause.run({ id: campaign.id })).crmCampaignPause;
      else if (action === "resume") payload = (await resume.run({ id: campaign.id })).crmCampaignResume;
      else {
        if (!window.confirm(`Cancel "${campaign.name}" for good? Unsent deliveries are cancelled.`)) return;
        payload = (await cancel.run({ id: campaign.id })).crmCampaignCancel;
      }
      assertPayload(payload);
      notifyDashboard("success", `Campaign ${action === "schedule" ? "scheduled" : `${action}d`}`, campaign.name);
      onChanged();
    } catch (caught) {
      setError(caught);
    }
  };

  const actions = allowedActions(campaign.state);
  if (actions.length === 0) return null;
  return (
    <Box display="flex" flexDirection="column" gap={2}>
      <Box display="flex" gap={2} alignItems="flex-end" flexWrap="wrap">
        {actions.includes("schedule") && (
          <>
            <TextInput label="Send at (empty: now)" type="datetime-local" value={when}
              onChange={(event) => setWhen(event.target.value)} />
            <Button disabled={pending} onClick={() => act("schedule")}>Schedule</Button>
          </>
        )}
        {actions.includes("pause") && <Button variant="secondary" disabled={pending} onClick={() => act("pause")}>Pause</Button>}
        {actions.includes("resume") && <Button disabled={pending} onClick={() => act("resume")}>Resume</Button>}
        {actions.includes("cancel") && (
          <Button variant="error" disabled={pending} onClick={() => act("cancel")}>Cancel campaign</Button>
        )}
      </Box>
      {error ? <Text size={2} color="critical1" role="alert">{describeError(error)}</Text> : null}
    </Box>
  );
};

/** One campaign: state, controls, totals with skip reasons, once started its results, and its deliveries. */
export const CampaignDetail = ({ id, onBack }: { id: string; onBack: () => void }) => {
  const { state } = useBridge();
  const locale = state.locale;
  const [deliveryState, setDeliveryState] = useState<CrmDeliveryState | null>(null);
  const [first, setFirst] = useState(PAGE);
  const [changes, setChanges] = useState(0);
  const query = useCrmQuery<CampaignDetailQuery, CampaignDetailQueryVariables>(CAMPAIGN, { id, first, after: null, deliveryState });
  const intl = useIntl();
  // Follow sending without a reload while the campaign is scheduled or sending; no polling otherwise.
  const current = query.data?.crmCampaign;
  const refreshIn = current && !query.loading && !query.error ? nextRefreshMs([current]) : null;
  useRefreshAfter(refreshIn, query.refetch, query.data);
  // Its results (opens, clicks, orders) are read again when the state moves, e.g. sending → sent.
  const liveState = current?.state;
  useEffect(() => {
    if (liveState) setChanges((n) => n + 1);
  }, [liveState]);

  return (
    <Box display="flex" flexDirection="column" gap={4} data-testid="campaign-detail">
      <Box>
        <Button variant="tertiary" onClick={onBack}>← All campaigns</Button>
      </Box>
      <QueryView query={query} loadingLabel="Loading the campaign…">
        {({ crmCampaign: campaign }) => {
          if (!campaign) return <EmptyState title="No such campaign">It may have been deleted.</EmptyState>;
          const totals = campaign.totals;
          const started = STARTED_STATES.has(campaign.state) || Boolean(campaign.startedAt);
          const options = describeAudienceOptions(campaign);
          return (
            <>
              <Section title={campaign.name}>
                <Text size={3} data-testid="campaign-state">
                  {humanize(campaign.state)} · channel {campaign.channel} · template {campaign.template.name}
                  {campaign.scheduledAt ? ` · scheduled ${formatDateTime(campaign.scheduledAt, locale)}` : ""}
                  {campaign.finishedAt ? ` · finished ${formatDateTime(campaign.finishedAt, locale)}` : ""}
                </Text>
                <Text size={2} color="default2">
                  To {campaign.segments.map((s) => s.name).join(", ") || "no segment"}
                  {campaign.excludeSegments.length ? `, leaving out ${campaign.excludeSegments.map((s) => s.name).join(", ")}` : ""}
                  {" · "}from {campaign.fromName || "the shop"} &lt;{campaign.fromEmail || "default sender"}&gt;
                </Text>
                {options && <Text size={2} color="default2" data-testid="campaign-audience-options">Audience: {options}</Text>}
                {refreshIn !== null && (
                  <Text size={2} color="default2" data-testid="campaign-live">{intl.formatMessage(messages.following)}</Text>
                )}
                <PauseReason reason={campaign.pauseReason} />
                <CampaignControls campaign={campaign} onChanged={() => { query.refetch(); setChanges((n) => n + 1); }} />
              </Section>
              {campaign.audience && campaign.state === "DRAFT" && (
                <Section title="Audience if it started now">
                  <Text size={3}>
                    {formatNumber(campaign.audience.recipients, locale)} recipients
                    {campaign.audience.skippedByReason.length
                      ? `; skipped: ${campaign.audience.skippedByReason.map((r) => `${reasonLabel(r.reason)} ${r.count}`).join(", ")}`
                      : ""}
                  </Text>
                </Section>
              )}
              <Section title="Sending">
                <KpiGrid>
                  <Kpi label="Recipients" value={formatNumber(totals.recipients, locale)} />
                  <Kpi label="Sent" value={formatNumber(totals.sent, locale)}
                    hint={formatPercent(shareOf(totals.sent, totals.recipients), locale)} />
                  <Kpi label="Queued / sending" value={formatNumber(totals.queued + totals.sending, locale)} />
                  <Kpi label="Skipped" value={formatNumber(totals.skipped, locale)} />
                  <Kpi label="Failed" value={formatNumber(totals.failed, locale)} />
                  <Kpi label="Cancelled" value={formatNumber(totals.cancelled, locale)} />
                </KpiGrid>
                {totals.skippedByReason.length > 0 && (
                  <Text size={2} color="default2">
                    Skipped because: {totals.skippedByReason.map((r) => `${reasonLabel(r.reason)} (${r.count})`).join(", ")}
                  </Text>
                )}
              </Section>
              {started && <CampaignResults id={campaign.id} locale={locale} refresh={changes} />}
              <Section
                title="Deliveries"
                actions={
                  <Box __width="200px">
                    <Select label="State" size="small" options={STATE_OPTIONS}
                      value={STATE_OPTIONS.find((o) => o.value === (deliveryState ?? "")) ?? STATE_OPTIONS[0]}
                      onChange={(option) => { setDeliveryState((option.value || null) as CrmDeliveryState | null); setFirst(PAGE); }} />
                  </Box>
                }
              >
                {campaign.deliveries.edges.length === 0 ? (
                  <EmptyState title="No deliveries">Deliveries appear once the campaign starts.</EmptyState>
                ) : (
                  <DataTable caption="Deliveries" headers={["Recipient", "State", "Skip reason", "Attempts", "Sent", "Error"]}>
                    {campaign.deliveries.edges.map(({ node }) => (
                      <tr key={node.customerId}>
                        <Cell>{node.email ?? "(erased)"}</Cell>
                        <Cell>{humanize(node.state)}</Cell>
                        <Cell>{node.skipReason ? reasonLabel(node.skipReason) : "—"}</Cell>
                        <Cell>{node.attempts}</Cell>
                        <Cell>{formatDateTime(node.sentAt, locale)}</Cell>
                        <Cell>{node.error || "—"}</Cell>
                      </tr>
                    ))}
                  </DataTable>
                )}
                <Box display="flex" justifyContent="space-between" alignItems="center">
                  <Text size={2} color="default2">
                    {campaign.deliveries.edges.length} of {formatNumber(campaign.deliveries.totalCount, locale)}
                  </Text>
                  {campaign.deliveries.pageInfo.hasNextPage && (
                    <Button variant="secondary" onClick={() => setFirst((n) => n + PAGE)}>Show more</Button>
                  )}
                </Box>
              </Section>
            </>
          );
        }}
      </QueryView>
    </Box>
  );
};
