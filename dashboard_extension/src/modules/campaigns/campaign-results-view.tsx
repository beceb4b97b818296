import { Box, Text } from "@saleor/macaw-ui";
import { useEffect } from "react";

import type { CampaignResultsQuery, CampaignResultsQueryVariables, LiftComparisonFragment } from "../../generated/graphql";
import { useCrmQuery } from "../api/use-crm-query";
import { formatMoney, formatNumber, formatPercent } from "../format/format";
import { type ChipTone, ToneChip } from "../ui/chips";
import { Cell, DataTable, Kpi, KpiGrid, Section } from "../ui/layout";
import { EmptyState, QueryView } from "../ui/page-states";
import {
  countOf, DELIVERY_REPORTS_NOTES, type DeliveryReports, formatDifference, formatPerRecipient, formatSignedPerRecipient, formatRelative, funnelRows, type FunnelRow, healthStatus,
  type HealthLevel, liftTimingNote, type Measure, perTenThousand, UNREPORTED, VERDICT_LABELS, verdictSentence,
} from "./campaign-results";
import { AttributedTable } from "./attributed-table";
import RESULTS from "./campaign-results.graphql?raw";

type Results = NonNullable<CampaignResultsQuery["crmCampaign"]>;
type Lift = NonNullable<Results["lift"]>;
const ORDERS: Measure = { kind: "orders" };

const VERDICT_TONES: Record<LiftComparisonFragment["verdict"], ChipTone> = {
  POSITIVE: "success",
  NEGATIVE: "critical",
  NO_CLEAR_EFFECT: "neutral",
  TOO_SMALL: "warning",
};
const HEALTH_TONES: Record<HealthLevel, ChipTone> = { ok: "success", near: "warning", over: "critical", waiting: "neutral" };
const HEALTH_WORDS: Record<HealthLevel, string> = { ok: "Healthy", near: "Near the limit", over: "Over the limit", waiting: "Not judged yet" };

/** Shown at the top of a campaign the CRM paused by itself. */
export const PauseReason = ({ reason }: { reason: string }) =>
  reason ? (
    <Box role="alert" padding={3} borderRadius={4} borderStyle="solid" borderWidth={1} borderColor="critical1"
      backgroundColor="default1" data-testid="pause-reason">
      <Text size={3} fontWeight="bold" color="critical1">Paused by the CRM</Text>
      <Text size={3} display="block">{reason}</Text>
    </Box>
  ) : null;

const FunnelTable = ({ caption, rows, reports, locale }: {
  caption: string; rows: FunnelRow[]; reports: DeliveryReports; locale: string;
}) => (
  <DataTable caption={caption} headers={["Mails", "Count", "Share"]}>
    {rows.map((row) => (
      <tr key={row.key} data-testid={`funnel-${row.key}`}>
        <Cell>
          {row.label}
          {row.caveat && (
            <>
              {" "}<ToneChip tone="warning" title={row.caveat}>unreliable</ToneChip>
            </>
          )}
        </Cell>
        <Cell>{row.count === null && reports !== "RECEIVED" ? UNREPORTED[reports] : formatNumber(row.count, locale)}</Cell>
        <Cell>{row.share == null ? "—" : `${formatPercent(row.share, locale)} of ${row.base}`}</Cell>
      </tr>
    ))}
  </DataTable>
);

const FunnelSection = ({ results, locale }: { results: Results; locale: string }) => {
  const { steps, problems } = funnelRows(results.funnel, results.totals.sent);
  const reports = results.funnel.deliveryReports;
  const note = DELIVERY_REPORTS_NOTES[reports];
  return (
    <Section title="Mail funnel">
      <Box data-testid="campaign-funnel" display="flex" flexDirection="column" gap={3}>
        <Text size={2} color="default2">
          {formatNumber(results.totals.sent, locale)} mails sent; each mail is counted once per kind of event the mail
          service reported.
        </Text>
        {note && (
          <Box padding={3} borderRadius={4} borderStyle="solid" borderWidth={1} borderColor="default1"
            backgroundColor="default2" data-testid="delivery-reports-note">
            <Text size={3}>{note}</Text>
          </Box>
        )}
        <FunnelTable caption="Delivered, opened and clicked" rows={steps} reports={reports} locale={locale} />
        <Text size={2} color="default2" data-testid="opens-caveat">Opens: {steps[1].caveat}</Text>
        <FunnelTable caption="Bounces, complaints and unsubscribes" rows={problems} reports={reports} locale={locale} />
      </Box>
    </Section>
  );
};

const HealthSection = ({ results, locale }: { results: Results; locale: string }) => {
  const { health } = results;
  const status = healthStatus(health);
  if (results.funnel.deliveryReports === "NOT_REPORTED") {
    // Bounces and complaints come only from the provider's reports: 0% here would read as healthy.
    return (
      <Section title="Bounce health">
        <Box data-testid="campaign-health">
          <EmptyState title="Not reported by your provider">
            Your mail provider does not report bounces or spam complaints, so the CRM cannot judge them or pause the
            campaign at the shop&apos;s limits. An ESP with its tracking webhook set up reports both.
          </EmptyState>
        </Box>
      </Section>
    );
  }
  return (
    <Section title="Bounce health">
      <Box data-testid="campaign-health" display="flex" flexDirection="column" gap={3}>
        <KpiGrid>
          <Kpi label="Bounce rate" value={formatPercent(health.bounceRate, locale, 2)}
            hint={`${countOf(health.bounced, health.window, locale)} · pauses at ${formatPercent(health.bounceRateMax, locale)}`} />
          <Kpi label="Spam complaints per 10,000" value={perTenThousand(health.complaintRate, locale)}
            hint={`${formatNumber(health.complained, locale)} of ${formatNumber(health.window, locale)} · pauses at ${perTenThousand(health.complaintRateMax, locale)}`} />
        </KpiGrid>
        <Box display="flex" gap={2} flexWrap="wrap" alignItems="center">
          <ToneChip tone={HEALTH_TONES[status.bounce]}>Bounces: {HEALTH_WORDS[status.bounce]}</ToneChip>
          <ToneChip tone={HEALTH_TONES[status.complaint]}>Complaints: {HEALTH_WORDS[status.complaint]}</ToneChip>
        </Box>
        <Text size={2} color="default2">
          {status.judged
            ? `Over the latest ${formatNumber(health.window, locale)} sent mails.`
            : `Judged from ${formatNumber(health.minimumSample, locale)} sent mails on (${formatNumber(health.window, locale)} so far).`}{" "}
          The campaign pauses itself at these limits (the shop's settings).
        </Text>
      </Box>
    </Section>
  );
};

const AttributedSection = ({ results, locale }: { results: Results; locale: string }) => (
  <Section title="Orders credited to the campaign">
    <Box data-testid="campaign-attributed" display="flex" flexDirection="column" gap={2}>
      {results.attributed.length === 0 ? (
        <EmptyState title="No orders credited yet">
          An order counts when placed within {results.attributionWindowDays} days after a click on this campaign's mail
          (the last click wins).
        </EmptyState>
      ) : (
        <AttributedTable caption="Orders and revenue credited, per currency" rows={results.attributed} locale={locale}
          rowTestId={(currency) => `attributed-${currency}`} />
      )}
      <Text size={2} color="default2">
        Orders placed within {results.attributionWindowDays} days after a click, credited to the mail clicked last;
        money per currency, never added across currencies.
      </Text>
    </Box>
  </Section>
);

const ComparisonRow = ({ label, testId, comparison, measure, locale }: {
  label: string; testId: string; comparison: LiftComparisonFragment; measure: Measure; locale: string;
}) => (
  <tr data-testid={testId}>
    <Cell>{label}</Cell>
    <Cell>{formatPerRecipient(comparison.mailedPerRecipient, measure, locale)}</Cell>
    <Cell>{formatPerRecipient(comparison.holdoutPerRecipient, measure, locale)}</Cell>
    <Cell>{formatDifference(comparison.difference, measure, locale)}</Cell>
    <Cell>{formatRelative(comparison.relative, locale)}</Cell>
    <Cell><ToneChip tone={VERDICT_TONES[comparison.verdict]}>{VERDICT_LABELS[comparison.verdict]}</ToneChip></Cell>
  </tr>
);

const LiftView = ({ lift, locale }: { lift: Lift; locale: string }) => {
  const revenue = (group: "mailedRevenue" | "holdoutRevenue") =>
    lift.revenue.map((row) => formatMoney(row[group].amount, row[group].currency, locale)).join(" · ") || "—";
  const verdicts = [
    { key: "orders", text: verdictSentence(lift.orders.verdict, "orders") },
    ...lift.revenue.map((row) => ({ key: row.currency, text: verdictSentence(row.comparison.verdict, `revenue in ${row.currency}`) })),
  ];
  return (
    <Box data-testid="campaign-lift" display="flex" flexDirection="column" gap={3}>
      <Box display="flex" gap={2} alignItems="center" flexWrap="wrap">
        <ToneChip tone={lift.final ? "success" : "warning"}>{lift.final ? "Final" : "Provisional"}</ToneChip>
        <Text size={3} data-testid="lift-timing">{liftTimingNote(lift, locale)}</Text>
      </Box>
      <KpiGrid>
        <Box display="contents" data-testid="lift-headline">
          <Kpi label="Extra orders per 100 recipients"
            value={lift.orders.difference ? formatSignedPerRecipient(lift.orders.difference.estimate, ORDERS, locale) : "—"}
            hint={`mailed ${formatPerRecipient(lift.orders.mailedPerRecipient, ORDERS, locale)} against ` +
              `${formatPerRecipient(lift.orders.holdoutPerRecipient, ORDERS, locale)} held out`} />
          <Kpi label="Verdict on orders" value={VERDICT_LABELS[lift.orders.verdict]} />
        </Box>
      </KpiGrid>
      <Text size={2} color="default2">
        {lift.holdoutPercent}% of the audience was held out at random and not mailed. Every order that counts is
        compared, clicked or not: the difference is what the mail changed.
      </Text>
      <DataTable caption="Mailed customers and the holdout" headers={["Group", "Recipients", "Buyers", "Orders", "Revenue"]}>
        <tr data-testid="lift-group-mailed">
          <Cell>Mailed</Cell>
          <Cell>{formatNumber(lift.mailed.recipients, locale)}</Cell>
          <Cell>{formatNumber(lift.mailed.buyers, locale)}</Cell>
          <Cell>{formatNumber(lift.mailed.orders, locale)}</Cell>
          <Cell>{revenue("mailedRevenue")}</Cell>
        </tr>
        <tr data-testid="lift-group-holdout">
          <Cell>Holdout</Cell>
          <Cell>{formatNumber(lift.holdout.recipients, locale)}</Cell>
          <Cell>{formatNumber(lift.holdout.buyers, locale)}</Cell>
          <Cell>{formatNumber(lift.holdout.orders, locale)}</Cell>
          <Cell>{revenue("holdoutRevenue")}</Cell>
        </tr>
      </DataTable>
      <DataTable caption="Lift per recipient, mailed against the holdout"
        headers={["Per recipient", "Mailed", "Holdout", "Difference", "Relative lift", "Verdict"]}>
        <ComparisonRow label="Orders per 100 recipients" testId="lift-orders" comparison={lift.orders}
          measure={ORDERS} locale={locale} />
        {lift.revenue.map((row) => (
          <ComparisonRow key={row.currency} label={`Revenue per recipient (${row.currency})`} testId={`lift-revenue-${row.currency}`}
            comparison={row.comparison} measure={{ kind: "money", currency: row.currency }} locale={locale} />
        ))}
      </DataTable>
      <Box as="ul" display="flex" flexDirection="column" gap={1} padding={0} margin={0} style={{ listStyle: "none" }}
        data-testid="lift-verdicts">
        {verdicts.map((verdict) => (
          <Box as="li" key={verdict.key}><Text size={3}>{verdict.text}</Text></Box>
        ))}
      </Box>
      <Text size={2} color="default2">
        Difference: mailed minus holdout, with its 95% interval. Relative lift: mailed ÷ holdout − 1 (absent when a
        group has no orders).
      </Text>
    </Box>
  );
};

/**
 * A started campaign's results: the funnel, bounce health, orders credited to it and its lift over the holdout.
 * `refresh` changes when the page's controls changed the campaign.
 */
export const CampaignResults = ({ id, locale, refresh }: { id: string; locale: string; refresh: number }) => {
  const query = useCrmQuery<CampaignResultsQuery, CampaignResultsQueryVariables>(RESULTS, { id });
  const { refetch } = query;
  useEffect(() => {
    if (refresh > 0) refetch();
  }, [refresh, refetch]);
  return (
    <QueryView query={query} loadingLabel="Loading the results…">
      {({ crmCampaign: results }) =>
        !results ? null : (
          <>
            <FunnelSection results={results} locale={locale} />
            <HealthSection results={results} locale={locale} />
            <AttributedSection results={results} locale={locale} />
            <Section title="Lift over the holdout">
              {results.lift ? (
                <LiftView lift={results.lift} locale={locale} />
              ) : (
                <EmptyState title="No holdout">
                  This campaign mailed its whole audience, so there is nobody unmailed to compare with. Keep a holdout
                  (a few percent, chosen at random) when creating a campaign to measure what it changed.
                </EmptyState>
              )}
            </Section>
          </>
        )
      }
    </QueryView>
  );
};
