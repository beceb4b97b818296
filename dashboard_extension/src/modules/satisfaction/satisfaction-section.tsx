import { lazy, Suspense, useMemo } from "react";

import type { ShopSatisfactionQuery, ShopSatisfactionQueryVariables } from "../../generated/graphql";
import { useCrmQuery } from "../api/use-crm-query";
import { formatNumber } from "../format/format";
import { Cell, DataTable, Kpi, KpiGrid, Section } from "../ui/layout";
import { EmptyState, LoadingState, QueryView } from "../ui/page-states";
import { formatCsat, formatMonth, formatNps, formatSatisfied, monthlyPoints, monthsSince } from "./satisfaction";
import SATISFACTION from "./satisfaction.graphql?raw";

const answers = (count: number, locale: string) => `${formatNumber(count, locale)} ${count === 1 ? "answer" : "answers"}`;

const SatisfactionChart = lazy(() => import("./satisfaction-chart"));

/** The overview's CSAT and NPS over the last 12 months: in all, per month and per product category. */
export const SatisfactionSection = ({ locale }: { locale: string }) => {
  const since = useMemo(() => monthsSince(12), []);
  const query = useCrmQuery<ShopSatisfactionQuery, ShopSatisfactionQueryVariables>(SATISFACTION, { since });
  return (
    <Section title="Customer satisfaction (12 months)">
      <QueryView query={query} loadingLabel="Loading satisfaction…">
        {({ crmSatisfaction: { total, months, categories } }) =>
          total.csatResponses + total.npsResponses === 0 ? (
            <EmptyState title="No survey answers yet">
              Switch on the satisfaction survey under Automations: customers answer with one click.
            </EmptyState>
          ) : (
            <>
              <KpiGrid>
                <Kpi label="CSAT" value={formatCsat(total.csatAverage, locale)}
                  hint={answers(total.csatResponses, locale)} />
                <Kpi label="Satisfied (4–5)" value={formatSatisfied(total.csatSatisfiedPercent, locale)} />
                <Kpi label="NPS" value={formatNps(total.nps, locale)}
                  hint={answers(total.npsResponses, locale)} />
              </KpiGrid>
              {months.length > 1 && (
                <Suspense fallback={<LoadingState label="Loading chart…" rows={1} />}>
                  <SatisfactionChart points={monthlyPoints(months, locale)} />
                </Suspense>
              )}
              <DataTable caption="CSAT and NPS per month"
                headers={["Month", "CSAT", "Satisfied", "NPS", "Promoters / passives / detractors"]}>
                {months.map((row) => (
                  <tr key={row.month}>
                    <Cell>{formatMonth(row.month, locale)}</Cell>
                    <Cell>{formatCsat(row.csatAverage, locale)}</Cell>
                    <Cell>{formatSatisfied(row.csatSatisfiedPercent, locale)}</Cell>
                    <Cell>{formatNps(row.nps, locale)}</Cell>
                    <Cell>{row.npsResponses ? `${row.promoters} / ${row.passives} / ${row.detractors}` : "—"}</Cell>
                  </tr>
                ))}
              </DataTable>
              {categories.length > 0 && (
                <DataTable caption="CSAT and NPS per product category bought"
                  headers={["Category", "CSAT", "Satisfied", "NPS", "Answers"]}>
                  {categories.map((row) => (
                    <tr key={row.category}>
                      <Cell>{row.category}</Cell>
                      <Cell>{formatCsat(row.csatAverage, locale)}</Cell>
                      <Cell>{formatSatisfied(row.csatSatisfiedPercent, locale)}</Cell>
                      <Cell>{formatNps(row.nps, locale)}</Cell>
                      <Cell>{formatNumber(row.csatResponses + row.npsResponses, locale)}</Cell>
                    </tr>
                  ))}
                </DataTable>
              )}
            </>
          )
        }
      </QueryView>
    </Section>
  );
};
