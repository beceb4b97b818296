import { Box, Button, Checkbox, Select, Text } from "@saleor/macaw-ui";
import { type FormEvent, useState } from "react";

import type {
  CampaignCreateMutation,
  CampaignCreateMutationVariables,
  CampaignFormOptionsQuery,
} from "../../generated/graphql";
import { assertPayload, describeError } from "../api/crm-client";
import { useCrmMutation, useCrmQuery } from "../api/use-crm-query";
import { notifyDashboard } from "../bridge/bridge";
import { readAudienceOptions } from "./audience-options";
import { ChannelPicker } from "../channels/channel-picker";
import { EmptyState, QueryView } from "../ui/page-states";
import CAMPAIGN_CREATE from "./campaign-create.graphql?raw";
import FORM_OPTIONS from "./campaign-form-options.graphql?raw";
import { TextInput } from "../ui/text-input";

/** A new draft campaign: template, channel, segments in and out, sender. */
export const CampaignCreateForm = ({ onCreated }: { onCreated: (id: string) => void }) => {
  const options = useCrmQuery<CampaignFormOptionsQuery, Record<string, never>>(FORM_OPTIONS, {});
  const create = useCrmMutation<CampaignCreateMutation, CampaignCreateMutationVariables>(CAMPAIGN_CREATE);
  const [name, setName] = useState("");
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [channel, setChannel] = useState(""); // the picker starts on the shop's default channel
  const [segmentIds, setSegmentIds] = useState<string[]>([]);
  const [excludeSegmentIds, setExcludeSegmentIds] = useState<string[]>([]);
  const [fromName, setFromName] = useState("");
  const [fromEmail, setFromEmail] = useState("");
  const [holdout, setHoldout] = useState("0");
  const [topOn, setTopOn] = useState(false);
  const [top, setTop] = useState("20");
  const [error, setError] = useState<unknown>(null);
  const audience = readAudienceOptions(holdout, topOn, top);
  const audienceError = (field: string) => audience.errors.find((problem) => problem.field === field)?.message;

  const toggle = (list: string[], id: string, on: boolean) => (on ? [...list, id] : list.filter((item) => item !== id));

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    if (!audience.options) return;
    try {
      const data = await create.run({
        input: {
          name: name.trim(),
          templateId,
          channel,
          segmentIds,
          excludeSegmentIds,
          ...audience.options,
          ...(fromName.trim() ? { fromName: fromName.trim() } : {}),
          ...(fromEmail.trim() ? { fromEmail: fromEmail.trim() } : {}),
        },
      });
      const campaign = assertPayload(data.crmCampaignCreate).campaign;
      notifyDashboard("success", "Campaign created", campaign?.name);
      if (campaign) onCreated(campaign.id);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <QueryView query={options} loadingLabel="Loading templates and segments…">
      {({ crmEmailTemplates, crmSegments }) => {
        const templateOptions = crmEmailTemplates.edges.map(({ node }) => ({ value: node.id, label: node.name }));
        if (templateOptions.length === 0) {
          return <EmptyState title="No email templates yet">Create a template first, under Email templates.</EmptyState>;
        }
        return (
          <Box as="form" display="flex" flexDirection="column" gap={3} onSubmit={onSubmit} data-testid="campaign-create-form">
            <Box display="flex" gap={2} flexWrap="wrap">
              <TextInput label="Campaign name" required value={name} onChange={(event) => setName(event.target.value)} />
              <Box __width="260px">
                <Select
                  label="Template"
                  options={templateOptions}
                  value={templateOptions.find((option) => option.value === templateId) ?? null}
                  onChange={(option) => setTemplateId(option.value)}
                />
              </Box>
              <ChannelPicker value={channel} onChange={setChannel} size="medium" />
              <TextInput label="From name (optional)" value={fromName} onChange={(event) => setFromName(event.target.value)} />
              <TextInput label="From email (optional)" type="email" value={fromEmail}
                onChange={(event) => setFromEmail(event.target.value)} />
            </Box>
            {crmSegments.length === 0 ? (
              <Text size={2} color="default2">No segments yet: a campaign sends to segments.</Text>
            ) : (
              <Box display="grid" __gridTemplateColumns="1fr 1fr" gap={3}>
                {[
                  { legend: "Send to", list: segmentIds, set: setSegmentIds },
                  { legend: "Leave out", list: excludeSegmentIds, set: setExcludeSegmentIds },
                ].map(({ legend, list, set }) => (
                  <Box as="fieldset" key={legend} display="flex" flexDirection="column" gap={1} borderWidth={0} padding={0}>
                    <Box as="legend" marginBottom={1}>
                      <Text size={3} fontWeight="bold">{legend}</Text>
                    </Box>
                    {crmSegments.map((segment) => (
                      <Checkbox key={segment.id} checked={list.includes(segment.id)}
                        onCheckedChange={(checked) => set(toggle(list, segment.id, checked === true))}>
                        <Text size={2}>{segment.name} ({segment.memberCount})</Text>
                      </Checkbox>
                    ))}
                  </Box>
                ))}
              </Box>
            )}
            <Box as="fieldset" display="flex" flexDirection="column" gap={2} borderWidth={0} padding={0} margin={0}>
              <Box as="legend" marginBottom={1}>
                <Text size={3} fontWeight="bold">Measure and target</Text>
              </Box>
              <Box display="flex" gap={3} flexWrap="wrap" alignItems="flex-start">
                <Box display="flex" flexDirection="column" gap={1} __width="260px">
                  <TextInput label="Holdout (% not mailed)" type="number" min={0} max={50} step={1} value={holdout}
                    onChange={(event) => setHoldout(event.target.value)} error={Boolean(audienceError("holdoutPercent"))}
                    aria-describedby="holdout-help" />
                  <Text size={2} color={audienceError("holdoutPercent") ? "critical1" : "default2"} id="holdout-help">
                    {audienceError("holdoutPercent") ??
                      "0–50. Kept back at random and never mailed, to measure what the campaign changed."}
                  </Text>
                </Box>
                <Box display="flex" flexDirection="column" gap={1} __width="320px">
                  <Checkbox checked={topOn} onCheckedChange={(checked) => setTopOn(checked === true)}>
                    <Text size={2}>Send only to the customers most likely to respond</Text>
                  </Checkbox>
                  {topOn && (
                    <>
                      <TextInput label="Most likely to respond (% of the audience)" type="number" min={1} max={100} step={1}
                        value={top} onChange={(event) => setTop(event.target.value)}
                        error={Boolean(audienceError("audienceTopPercent"))} aria-describedby="top-help" />
                      <Text size={2} color={audienceError("audienceTopPercent") ? "critical1" : "default2"} id="top-help">
                        {audienceError("audienceTopPercent") ??
                          "1–100, ranked by the nightly response propensity; scheduling waits until customers are scored."}
                      </Text>
                    </>
                  )}
                </Box>
              </Box>
            </Box>
            <Box>
              <Button type="submit"
                disabled={!name.trim() || !templateId || !channel || segmentIds.length === 0 || !audience.options || create.pending}>
                {create.pending ? "Creating…" : "Create draft"}
              </Button>
            </Box>
            {error ? (
              <Text size={2} color="critical1" role="alert">{describeError(error)}</Text>
            ) : null}
          </Box>
        );
      }}
    </QueryView>
  );
};
