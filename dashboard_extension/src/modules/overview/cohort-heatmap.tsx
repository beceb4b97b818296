import { Box, Text } from "@saleor/macaw-ui";

import { formatPercent } from "../format/format";
import { EmptyState } from "../ui/page-states";
import { retentionShade } from "./rfm";

type Cohort = { cohort: string; customers: number; retention: number[] };

/** Monthly cohorts × months since the first order, each cell the share still ordering. */
export const CohortHeatmap = ({ cohorts, locale }: { cohorts: Cohort[]; locale: string }) => {
  if (cohorts.length === 0) return <EmptyState title="No cohorts yet">Cohorts appear after the first orders.</EmptyState>;
  const months = Math.max(...cohorts.map((cohort) => cohort.retention.length));
  const monthName = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", timeZone: "UTC" });
  return (
    <Box overflowX="auto">
      <Box as="table" style={{ borderCollapse: "separate", borderSpacing: "2px" }} data-testid="cohort-heatmap">
        <caption className="visually-hidden">Share of each monthly cohort ordering again, by month since the first order</caption>
        <thead>
          <tr>
            <Box as="th" textAlign="left" paddingX={2}>
              <Text size={2} color="default2">Cohort</Text>
            </Box>
            <Box as="th" textAlign="right" paddingX={2}>
              <Text size={2} color="default2">Customers</Text>
            </Box>
            {Array.from({ length: months }, (_, month) => (
              <Box as="th" key={month} paddingX={1}>
                <Text size={2} color="default2">M{month}</Text>
              </Box>
            ))}
          </tr>
        </thead>
        <tbody>
          {cohorts.map((cohort) => (
            <tr key={cohort.cohort}>
              <Box as="th" scope="row" textAlign="left" paddingX={2}>
                <Text size={2}>{monthName.format(new Date(`${cohort.cohort}T00:00:00Z`))}</Text>
              </Box>
              <Box as="td" textAlign="right" paddingX={2}>
                <Text size={2}>{cohort.customers}</Text>
              </Box>
              {Array.from({ length: months }, (_, month) => {
                const share = cohort.retention[month];
                return (
                  <Box
                    as="td"
                    key={month}
                    textAlign="center"
                    paddingX={1}
                    borderRadius={2}
                    __minWidth="48px"
                    __backgroundColor={share === undefined ? "transparent" : `rgba(56, 104, 255, ${retentionShade(share)})`}
                  >
                    <Text size={1}>{share === undefined ? "" : formatPercent(share, locale, 0)}</Text>
                  </Box>
                );
              })}
            </tr>
          ))}
        </tbody>
      </Box>
    </Box>
  );
};
