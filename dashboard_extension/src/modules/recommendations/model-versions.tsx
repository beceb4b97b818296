import { Box, Text } from "@saleor/macaw-ui";

import type { RecommendationModelsQuery } from "../../generated/graphql";
import { formatDateTime, formatNumber, formatPercent, humanize } from "../format/format";
import { ToneChip } from "../ui/chips";
import { Cell, DataTable } from "../ui/layout";
import { EmptyState } from "../ui/page-states";
import { type Evaluation, featuredVersion, readCounts, readEvaluation } from "./model-metrics";

type Version = RecommendationModelsQuery["crmRecommendationModels"][number];

const seconds = (value: number | null, locale: string) =>
  value === null ? "—" : value < 0.1 ? `< ${formatNumber(0.1, locale, 1)} s` : `${formatNumber(value, locale, value < 10 ? 1 : 0)} s`;

/** One version's evaluation: a row per model (ours, then the baseline it is compared with). */
export const EvaluationTable = ({ version, evaluation, locale }: { version: string; evaluation: Evaluation; locale: string }) => {
  if (evaluation.models.length === 0) {
    return (
      <EmptyState title="No evaluation for this version">
        {evaluation.note ? humanize(evaluation.note) : "The training stored no evaluation figures."}
      </EmptyState>
    );
  }
  return (
    <Box display="flex" flexDirection="column" gap={2} data-testid="model-evaluation">
      <Text size={3}>
        Evaluated on the newest orders of {formatNumber(evaluation.customers, locale)} customers, held out of training
        {evaluation.protocol ? ` (${evaluation.protocol})` : ""}.
      </Text>
      <DataTable caption={`Evaluation of version ${version}`} headers={["Model", "Figures"]}>
        {evaluation.models.map((model) => (
          <tr key={model.key}>
            <Cell>{model.label}</Cell>
            <Cell>
              {model.figures
                .map((figure) =>
                  `${figure.label} ${figure.kind === "count" ? formatNumber(figure.value, locale) : formatPercent(figure.value, locale)}`,
                )
                .join(" · ")}
            </Cell>
          </tr>
        ))}
      </DataTable>
    </Box>
  );
};

/** The trained versions, newest first, and the evaluation of the one served (else the newest). */
export const ModelVersions = ({ versions, locale }: { versions: Version[]; locale: string }) => {
  const featured = featuredVersion(versions);
  if (!featured) {
    return <EmptyState title="No model trained yet">Train now, or wait for the nightly training.</EmptyState>;
  }
  return (
    <Box display="flex" flexDirection="column" gap={4}>
      <DataTable caption="Trained versions" headers={["Version", "Status", "Trained", "Data until", "Took", "Trained on"]}>
        {versions.map((version) => (
          <tr key={version.version} data-testid="model-version">
            <Cell>
              <Box as="span" display="inline-flex" gap={2} alignItems="center">
                {version.version}
                {version.isActive && (
                  <ToneChip tone="success">Served</ToneChip>
                )}
              </Box>
            </Cell>
            <Cell>{humanize(version.status)}</Cell>
            <Cell>{formatDateTime(version.trainedAt ?? version.createdAt, locale)}</Cell>
            <Cell>{formatDateTime(version.dataUntil, locale)}</Cell>
            <Cell>{seconds(version.trainingSeconds, locale)}</Cell>
            <Cell>
              {readCounts(version.counts)
                .map((count) => `${formatNumber(count.value, locale)} ${count.label}`)
                .join(" · ") || "—"}
            </Cell>
          </tr>
        ))}
      </DataTable>
      <Box display="flex" flexDirection="column" gap={2}>
        <Text as="h3" size={4} fontWeight="bold">
          Evaluation of {featured.version}
          {featured.isActive ? " (served)" : ""}
        </Text>
        <EvaluationTable version={featured.version} evaluation={readEvaluation(featured.metrics)} locale={locale} />
      </Box>
    </Box>
  );
};
