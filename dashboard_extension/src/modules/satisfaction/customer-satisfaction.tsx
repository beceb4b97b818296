import { Box, Text } from "@saleor/macaw-ui";

import type { CustomerRecordQuery } from "../../generated/graphql";
import { formatDate, humanize } from "../format/format";
import { ToneChip } from "../ui/chips";
import { formatScore, npsTone, scoreTone } from "./satisfaction";

type Satisfaction = NonNullable<CustomerRecordQuery["crmCustomer"]>["satisfaction"];

/** The customer widget's satisfaction: the latest CSAT and NPS, then each answer, newest first. */
export const CustomerSatisfaction = ({ satisfaction, locale }: { satisfaction: Satisfaction; locale: string }) => {
  if (satisfaction.history.length === 0) {
    return <Text size={2} color="default2">No survey answered yet.</Text>;
  }
  return (
    <Box display="flex" flexDirection="column" gap={2} data-testid="customer-satisfaction">
      <Box display="flex" gap={2} flexWrap="wrap">
        {satisfaction.csatLatest != null && (
          <ToneChip tone={scoreTone("CSAT", satisfaction.csatLatest)}>Latest {formatScore("CSAT", satisfaction.csatLatest)}</ToneChip>
        )}
        {satisfaction.npsLatest != null && (
          <ToneChip tone={npsTone(satisfaction.npsGroup)}>
            Latest {formatScore("NPS", satisfaction.npsLatest)}{satisfaction.npsGroup ? ` · ${humanize(satisfaction.npsGroup)}` : ""}
          </ToneChip>
        )}
      </Box>
      <Box as="ul" display="flex" flexDirection="column" gap={1} padding={0} margin={0} style={{ listStyle: "none" }}>
        {satisfaction.history.map((answer, index) => (
          <Box as="li" key={`${answer.answeredAt}-${index}`} display="flex" gap={2}>
            <Text size={2} color="default2" __minWidth="110px">{formatDate(answer.answeredAt, locale)}</Text>
            <Text size={2}>
              <strong>{formatScore(answer.kind, answer.score)}</strong>
              {answer.comment ? ` “${answer.comment}”` : ""}
              {answer.serviceRequestId ? " · opened a service request" : ""}
            </Text>
          </Box>
        ))}
      </Box>
    </Box>
  );
};
