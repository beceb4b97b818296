import { Text } from "@saleor/macaw-ui";

import type { OverviewReportQuery } from "../../generated/graphql";
import { formatDateTime, formatNumber, formatPercent } from "../format/format";
import { Kpi, KpiGrid, Section } from "../ui/layout";
import { EmptyState } from "../ui/page-states";

type Model = OverviewReportQuery["crmReport"]["propensity"];

/** The nightly response propensity model: when it ran, on whom, and how well it ranks customers (cross-fitted). */
export const PropensityModelSection = ({ model, locale }: { model: Model; locale: string }) => (
  <Section title="Response propensity model">
    {!model ? (
      <EmptyState title="Not trained yet">
        The model of who is likely to order soon is trained nightly and when you recompute, once there are orders.
      </EmptyState>
    ) : (
      <>
        <KpiGrid>
          <Kpi label="Customers scored" value={formatNumber(model.scored, locale)}
            hint={`trained on ${formatNumber(model.customers, locale)}`} />
          <Kpi label="Ordered within the horizon" value={formatPercent(model.baseRate, locale)}
            hint={`${model.horizonDays} days, the base rate`} />
          <Kpi label="Ranking quality (AUC)" value={formatNumber(model.auc, locale, 2)}
            hint="0.5 is chance, 1 perfect" />
          <Kpi label="Top 10% lift" value={model.topDecileLift == null ? "—" : `×${formatNumber(model.topDecileLift, locale, 1)}`}
            hint="buyers among the top tenth ÷ the base rate" />
        </KpiGrid>
        <Text size={2} color="default2">
          {model.confidence ? `${model.confidence[0].toUpperCase()}${model.confidence.slice(1)} confidence` : "Confidence unknown"}
          {" "}· method {model.method.replace(/_/g, " ")} · trained {formatDateTime(model.trainedAt, locale)}
          {model.averagePrecision != null ? ` · average precision ${formatNumber(model.averagePrecision, locale, 2)}` : ""}
        </Text>
      </>
    )}
  </Section>
);
