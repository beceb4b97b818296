import { Box, Button, Text } from "@saleor/macaw-ui";

import type { AutomationsQuery } from "../../generated/graphql";
import { useCrmQuery } from "../api/use-crm-query";
import { useBridge } from "../bridge/bridge-provider";
import { formatDateTime, formatDuration, formatNumber } from "../format/format";
import { useRoute } from "../navigation/use-route";
import { ToneChip } from "../ui/chips";
import { Cell, DataTable, Section } from "../ui/layout";
import { EmptyState, QueryView } from "../ui/page-states";
import { type Automation, draftFrom } from "./automation-draft";
import { AutomationEditor } from "./automation-editor";
import { sentOverSteps } from "./automation-stats";
import AUTOMATIONS from "./automations.graphql?raw";
import { StepStats } from "./step-stats";

const StateChip = ({ enabled }: { enabled: boolean }) => (
  <ToneChip tone={enabled ? "success" : "neutral"}>{enabled ? "On" : "Off"}</ToneChip>
);

const AutomationDetail = ({ automation, templates, onBack, onSaved }: {
  automation: Automation;
  templates: { value: string; label: string }[];
  onBack: () => void;
  onSaved: () => void;
}) => {
  const { state } = useBridge();
  return (
    <Box display="flex" flexDirection="column" gap={4} data-testid="automation-detail">
      <Section title={automation.title} actions={<Button variant="secondary" onClick={onBack}>All automations</Button>}>
        <Box display="flex" gap={2} alignItems="center" flexWrap="wrap">
          <StateChip enabled={automation.enabled} />
          <Text size={2} color="default2">
            {automation.enabled ? `On since ${formatDateTime(automation.enabledAt, state.locale)}` : "Sends nothing while off."}
          </Text>
        </Box>
        <Text size={3}>{automation.trigger}</Text>
        {templates.length === 0 && (
          <Text size={2} color="default2">No email templates yet: write one under Email templates first.</Text>
        )}
        {/* A new editor (its draft from the saved settings) each time they change. */}
        <AutomationEditor key={JSON.stringify(draftFrom(automation))}
          automation={automation} templates={templates} locale={state.locale} onSaved={onSaved} />
      </Section>
      {automation.steps.map((step) => (
        <Section key={step.position} title={`Step ${step.position}: ${step.templateName ?? "no template"}, after ${formatDuration(step.delaySeconds, state.locale)}`}>
          <StepStats step={step} locale={state.locale} />
        </Section>
      ))}
    </Box>
  );
};

const AutomationsPage = () => {
  const { route, navigate } = useRoute();
  const { state } = useBridge();
  const query = useCrmQuery<AutomationsQuery, Record<string, never>>(AUTOMATIONS, {});
  return (
    <QueryView query={query} loadingLabel="Loading automations…">
      {({ crmAutomations, crmEmailTemplates }) => {
        const templates = crmEmailTemplates.edges.map(({ node }) => ({ value: node.id, label: node.name }));
        if (route.id) {
          const automation = crmAutomations.find((row) => row.kind === route.id?.toUpperCase());
          if (!automation) {
            return (
              <Section title="Automations">
                <EmptyState title="No such automation">
                  <Button variant="secondary" onClick={() => navigate({ page: "automations" })}>All automations</Button>
                </EmptyState>
              </Section>
            );
          }
          return <AutomationDetail automation={automation} templates={templates}
            onBack={() => navigate({ page: "automations" })} onSaved={query.refetch} />;
        }
        return (
          <Section title="Automations">
            <Box data-testid="automations-page" display="flex" flexDirection="column" gap={3}>
              <Text size={2} color="default2">
                Automations mail one customer at a time when something happens; each is off until switched on.
              </Text>
              {crmAutomations.length === 0 ? (
                <EmptyState title="No automations">The CRM sets them up with its database migrations.</EmptyState>
              ) : (
                <DataTable caption="Automations" headers={["Automation", "Trigger", "State", "Sent", ""]}>
                  {crmAutomations.map((automation) => (
                    <tr key={automation.kind}>
                      <Cell>{automation.title}</Cell>
                      <Cell>{automation.trigger}</Cell>
                      <Cell><StateChip enabled={automation.enabled} /></Cell>
                      <Cell>{formatNumber(sentOverSteps(automation.steps), state.locale)}</Cell>
                      <Cell>
                        <Button size="small" variant="tertiary" aria-label={`Edit ${automation.title}`}
                          onClick={() => navigate({ page: "automations", id: automation.kind.toLowerCase() })}>
                          Edit
                        </Button>
                      </Cell>
                    </tr>
                  ))}
                </DataTable>
              )}
            </Box>
          </Section>
        );
      }}
    </QueryView>
  );
};

export default AutomationsPage;
