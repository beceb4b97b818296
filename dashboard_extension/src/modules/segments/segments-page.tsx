import { Box, Button, Text } from "@saleor/macaw-ui";
import { type FormEvent, useMemo, useReducer, useState } from "react";

import type {
  SegmentCreateMutation,
  SegmentCreateMutationVariables,
  SegmentListQuery,
  SegmentRulePreviewQuery,
  SegmentRulePreviewQueryVariables,
} from "../../generated/graphql";
import { assertPayload, CrmApiError, describeError } from "../api/crm-client";
import { type QueryState, useCrmMutation, useCrmQuery } from "../api/use-crm-query";
import { notifyDashboard } from "../bridge/bridge";
import { useBridge } from "../bridge/bridge-provider";
import { formatDateTime, formatNumber, humanize } from "../format/format";
import { routeHref } from "../navigation/routes";
import { Cell, DataTable, Section } from "../ui/layout";
import { EmptyState, ErrorState, LoadingState, QueryView } from "../ui/page-states";
import { useDebounced } from "../ui/use-debounced";
import { RuleBuilder } from "./rule-builder";
import { buildRule, builderReducer, conditionIdForPath, initialBuilderState } from "./rule-builder-state";
import { RFM_GROUPS } from "./rule-fields";
import SEGMENT_CREATE from "./segment-create.graphql?raw";
import SEGMENT_PREVIEW from "./segment-preview.graphql?raw";
import SEGMENTS from "./segments.graphql?raw";
import { TextInput } from "../ui/text-input";

const Preview = ({ rules }: { rules: string | null }) => {
  const { state } = useBridge();
  const preview = useCrmQuery<SegmentRulePreviewQuery, SegmentRulePreviewQueryVariables>(
    SEGMENT_PREVIEW,
    { rules: rules ?? "" },
    { skip: !rules },
  );
  if (!rules) return <Text size={2} color="default2">Complete the conditions to see who they match.</Text>;
  if (preview.error) return <ErrorState error={preview.error} onRetry={preview.refetch} />;
  if (!preview.data) return <LoadingState label="Counting customers…" rows={1} />;
  const { count, sample } = preview.data.crmSegmentPreview;
  return (
    <Box display="flex" flexDirection="column" gap={2} aria-live="polite" data-testid="segment-preview">
      <Text size={5} fontWeight="bold" data-testid="segment-preview-count">
        {formatNumber(count, state.locale)} {count === 1 ? "customer matches" : "customers match"}
        {preview.loading ? " (updating…)" : ""}
      </Text>
      {sample.length > 0 && (
        <DataTable caption="Sample of matching customers" headers={["Customer", "Orders"]}>
          {sample.map((customer) => (
            <tr key={customer.id}>
              <Cell>{`${customer.firstName} ${customer.lastName}`.trim() || customer.email || "Anonymous"}</Cell>
              <Cell>{customer.orderCount}</Cell>
            </tr>
          ))}
        </DataTable>
      )}
    </Box>
  );
};

const SegmentList = ({ segments }: { segments: QueryState<SegmentListQuery> }) => {
  const { state } = useBridge();
  return (
    <QueryView query={segments} loadingLabel="Loading segments…">
      {({ crmSegments }) =>
        crmSegments.length === 0 ? (
          <EmptyState title="No segments yet">Build one above, or wait for the predefined RFM groups.</EmptyState>
        ) : (
          <DataTable caption="Segments" headers={["Segment", "Kind", "Members", "Refreshed", ""]}>
            {crmSegments.map((segment) => (
              <tr key={segment.id}>
                <Cell>
                  <span title={segment.rules}>{segment.name}</span>
                </Cell>
                <Cell>{segment.isPredefined ? "Predefined" : "Custom"}</Cell>
                <Cell>{formatNumber(segment.memberCount, state.locale)}</Cell>
                <Cell>{formatDateTime(segment.refreshedAt, state.locale)}</Cell>
                <Cell>
                  <a href={routeHref({ page: "customers", params: { segment: segment.id } })}>View customers</a>
                </Cell>
              </tr>
            ))}
          </DataTable>
        )
      }
    </QueryView>
  );
};

const SegmentsPage = () => {
  const [builder, dispatch] = useReducer(builderReducer, undefined, initialBuilderState);
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [saveError, setSaveError] = useState<unknown>(null);
  const [serverErrors, setServerErrors] = useState<Map<number, string>>(new Map());
  const segments = useCrmQuery<SegmentListQuery, Record<string, never>>(SEGMENTS, {});
  const create = useCrmMutation<SegmentCreateMutation, SegmentCreateMutationVariables>(SEGMENT_CREATE);

  const built = useMemo(() => buildRule(builder), [builder]);
  const rules = built.rule ? JSON.stringify(built.rule) : null;
  const debouncedRules = useDebounced(rules, 400);
  const errors = useMemo(() => {
    const map = new Map(serverErrors);
    const touched = new Set(builder.conditions.filter((c) => c.touched).map((c) => c.id));
    for (const error of built.errors) if (touched.has(error.id)) map.set(error.id, error.message);
    return map;
  }, [built.errors, serverErrors, builder.conditions]);

  const onSave = async (event: FormEvent) => {
    event.preventDefault();
    if (!rules) return;
    setSaveError(null);
    setServerErrors(new Map());
    try {
      const data = await create.run({ input: { name: name.trim(), description: description.trim(), rules } });
      const payload = assertPayload(data.crmSegmentCreate);
      notifyDashboard("success", "Segment saved", `${payload.segment?.name}: ${payload.segment?.memberCount} members`);
      setName("");
      setDescription("");
      segments.refetch();
    } catch (error) {
      if (error instanceof CrmApiError) {
        const byCondition = new Map<number, string>();
        for (const fieldError of error.fieldErrors) {
          const id = conditionIdForPath(builder, fieldError.field?.replace(/^rules\.?/, ""));
          if (id !== undefined) byCondition.set(id, fieldError.message);
        }
        setServerErrors(byCondition);
      }
      setSaveError(error);
    }
  };

  return (
    <Box display="flex" flexDirection="column" gap={4} data-testid="segments-page">
      <Section title="New segment">
        <Box display="flex" gap={2} flexWrap="wrap" alignItems="center">
          <Text size={2} color="default2">Start from an RFM group:</Text>
          {RFM_GROUPS.map((group) => (
            <Button
              key={group}
              size="small"
              variant="tertiary"
              onClick={() => dispatch({ type: "add", field: "rfm_group", patch: { choices: [group] } })}
            >
              {humanize(group)}
            </Button>
          ))}
        </Box>
        <RuleBuilder state={builder} dispatch={dispatch} errors={errors} />
        <Preview rules={debouncedRules} />
        <Box as="details">
          <Box as="summary" cursor="pointer">
            <Text size={2}>Rule as JSON</Text>
          </Box>
          <Box as="pre" padding={2} backgroundColor="default2" borderRadius={2} overflowX="auto">
            <Text size={2} data-testid="rule-json">{rules ?? "—"}</Text>
          </Box>
        </Box>
        <Box as="form" display="flex" gap={2} flexWrap="wrap" alignItems="flex-end" onSubmit={onSave}>
          <TextInput label="Segment name" value={name} required onChange={(event) => setName(event.target.value)} />
          <TextInput label="Description" value={description} onChange={(event) => setDescription(event.target.value)} />
          <Button type="submit" disabled={!rules || !name.trim() || create.pending}>
            {create.pending ? "Saving…" : "Save segment"}
          </Button>
        </Box>
        {saveError ? (
          <Text size={2} color="critical1" role="alert">
            {describeError(saveError)}
          </Text>
        ) : null}
      </Section>
      <Section title="Segments">
        <SegmentList segments={segments} />
      </Section>
    </Box>
  );
};

export default SegmentsPage;
