import { Box, Text } from "@saleor/macaw-ui";

import { AttributedTable } from "../campaigns/attributed-table";
import { formatNumber } from "../format/format";
import { Cell, DataTable, Kpi, KpiGrid } from "../ui/layout";
import type { Automation } from "./automation-draft";
import { type Count, humanizeCounts, totalOf } from "./automation-stats";

type Step = Automation["steps"][number];

const CountTable = ({ title, caption, what, counts, locale }: {
  title: string;
  caption: string;
  what: string;
  counts: Count[];
  locale: string;
}) => {
  const rows = humanizeCounts(counts);
  return (
    <Box display="flex" flexDirection="column" gap={1}>
      <Text size={3} fontWeight="bold">{title}</Text>
      {rows.length === 0 ? (
        <Text size={2} color="default2">None</Text>
      ) : (
        <DataTable caption={caption} headers={[what, "Runs"]}>
          {rows.map((row) => (
            <tr key={row.label}>
              <Cell>{row.label}</Cell>
              <Cell>{formatNumber(row.count, locale)}</Cell>
            </tr>
          ))}
        </DataTable>
      )}
    </Box>
  );
};

const FUNNEL: { key: "delivered" | "opened" | "clicked" | "bounced" | "complained" | "unsubscribed"; label: string }[] = [
  { key: "delivered", label: "Delivered" },
  { key: "opened", label: "Opened (unreliable: privacy proxies open every mail)" },
  { key: "clicked", label: "Clicked" },
  { key: "bounced", label: "Bounced" },
  { key: "complained", label: "Marked as spam" },
  { key: "unsubscribed", label: "Unsubscribed" },
];

/** What the step's mails did (the mail service's events and our click links) and the orders credited to them. */
const StepResults = ({ step, locale }: { step: Step; locale: string }) => {
  const { funnel, attributed } = step.stats;
  return (
    <Box display="grid" gap={3} __gridTemplateColumns="repeat(auto-fit, minmax(220px, 1fr))"
      data-testid={`step-${step.position}-results`}>
      <Box display="flex" flexDirection="column" gap={1}>
        <Text size={3} fontWeight="bold">What the mails did</Text>
        <DataTable caption={`Step ${step.position}: what the mails did`} headers={["Event", "Mails"]}>
          {FUNNEL.map(({ key, label }) => (
            <tr key={key}>
              <Cell>{label}</Cell>
              <Cell>{formatNumber(funnel[key], locale)}</Cell>
            </tr>
          ))}
        </DataTable>
      </Box>
      <Box display="flex" flexDirection="column" gap={1}>
        <Text size={3} fontWeight="bold">Orders credited</Text>
        {attributed.length === 0 ? (
          <Text size={2} color="default2">None yet (an order within the attribution window after a click)</Text>
        ) : (
          <AttributedTable caption={`Step ${step.position}: orders credited, per currency`} rows={attributed}
            locale={locale} />
        )}
      </Box>
    </Box>
  );
};

/** One step's figures: sent and scheduled, its mails by state, runs skipped and cancelled by reason, what the
 * mails did and the orders credited to them. */
export const StepStats = ({ step, locale }: { step: Step; locale: string }) => {
  const { stats } = step;
  return (
    <Box display="flex" flexDirection="column" gap={3} data-testid={`step-${step.position}-stats`}>
      <KpiGrid>
        <Box data-testid={`step-${step.position}-sent`} display="contents">
          <Kpi label="Sent" value={formatNumber(stats.sent, locale)} />
        </Box>
        <Kpi label="Scheduled" value={formatNumber(stats.scheduled, locale)} />
        <Kpi label="Skipped" value={formatNumber(totalOf(stats.skipped), locale)} />
        <Kpi label="Cancelled" value={formatNumber(totalOf(stats.cancelled), locale)} />
      </KpiGrid>
      <Box display="grid" gap={3} __gridTemplateColumns="repeat(auto-fit, minmax(220px, 1fr))">
        <CountTable title="Mails by state" caption={`Step ${step.position}: mails by state`} what="State" counts={stats.mails} locale={locale} />
        <CountTable title="Skipped, by reason" caption={`Step ${step.position}: skipped, by reason`} what="Reason" counts={stats.skipped} locale={locale} />
        <CountTable title="Cancelled, by reason" caption={`Step ${step.position}: cancelled, by reason`} what="Reason" counts={stats.cancelled} locale={locale} />
      </Box>
      <StepResults step={step} locale={locale} />
    </Box>
  );
};
