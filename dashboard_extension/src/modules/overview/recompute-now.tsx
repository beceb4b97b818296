import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useRef, useState } from "react";

import type {
  RecomputeRunQuery, RecomputeRunQueryVariables, RecomputeStartMutation, RecomputeStartMutationVariables,
} from "../../generated/graphql";
import { assertPayload } from "../api/crm-client";
import { useCrmMutation, useCrmQuery } from "../api/use-crm-query";
import { formatPercent } from "../format/format";
import { ToneChip } from "../ui/chips";
import { ErrorState } from "../ui/page-states";
import { isActive, POLL_MS, progressShare, recomputeStatus, type RecomputeRun } from "./recompute";
import RUN from "./recompute-run.graphql?raw";
import START from "./recompute-start.graphql?raw";

const ProgressBar = ({ share, locale }: { share: number; locale: string }) => (
  <Box
    role="progressbar"
    aria-label="Recompute progress"
    aria-valuemin={0}
    aria-valuemax={100}
    aria-valuenow={Math.round(share * 100)}
    aria-valuetext={formatPercent(share, locale, 0)}
    data-testid="recompute-progress"
    width="100%"
    __height="8px"
    borderRadius={4}
    backgroundColor="default2"
    overflow="hidden"
  >
    <Box __height="100%" __width={`${Math.round(share * 100)}%`} backgroundColor="accent1" />
  </Box>
);

/**
 * "Recompute now": scores every customer, retrains the response model and refreshes every segment in a worker,
 * showing the latest run's progress (polled while it runs). `onDone` refreshes the figures around it.
 */
export const RecomputeNow = ({ locale, onDone }: { locale: string; onDone: () => void }) => {
  const latest = useCrmQuery<RecomputeRunQuery, RecomputeRunQueryVariables>(RUN, {});
  const start = useCrmMutation<RecomputeStartMutation, RecomputeStartMutationVariables>(START);
  const [started, setStarted] = useState<RecomputeRun | null>(null);
  const [error, setError] = useState<unknown>(null);
  const { refetch } = latest;
  // The newest of what the query read and what the button started (the query lags a click by one poll).
  const fromQuery = latest.data?.crmRecomputeRun ?? null;
  const run = started && (!fromQuery || fromQuery.id !== started.id) ? started : fromQuery;
  const active = isActive(run?.state);

  useEffect(() => {
    if (!active) return;
    const timer = window.setTimeout(refetch, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [active, refetch, run?.done, run?.state, fromQuery]);

  // Tell the page once a run it watched finished, so the scores and segments shown are the new ones.
  const watched = useRef<string | null>(null);
  useEffect(() => {
    if (!run) return;
    if (active) watched.current = run.id;
    else if (watched.current === run.id) {
      watched.current = null;
      onDone();
    }
  }, [active, run, onDone]);

  const onClick = async () => {
    setError(null);
    try {
      const payload = assertPayload((await start.run({})).crmRecomputeStart);
      if (payload.run) setStarted(payload.run);
      refetch();
    } catch (caught) {
      setError(caught);
    }
  };

  const status = run ? recomputeStatus(run, locale) : null;
  return (
    <Box display="flex" flexDirection="column" gap={3} data-testid="recompute-now">
      <Box display="flex" gap={3} alignItems="center" flexWrap="wrap" justifyContent="space-between">
        <Text size={3} color="default2" __maxWidth="60ch">
          Scores, the response model and segment members are recomputed every night and right after the first
          import of the shop&apos;s history. Recompute now to see today&apos;s orders in them.
        </Text>
        <Button onClick={onClick} disabled={start.pending || active} data-testid="recompute-button">
          {active ? "Recomputing…" : start.pending ? "Starting…" : "Recompute now"}
        </Button>
      </Box>
      <Box role="status" aria-live="polite" display="flex" flexDirection="column" gap={2} data-testid="recompute-status">
        {run && status && (
          <>
            <Box display="flex" gap={2} alignItems="center" flexWrap="wrap">
              <ToneChip tone={status.tone}>{status.title}</ToneChip>
              {status.detail && <Text size={2}>{status.detail}</Text>}
            </Box>
            {(active || run.state === "DONE") && <ProgressBar share={progressShare(run)} locale={locale} />}
          </>
        )}
        {!run && latest.data && <Text size={2} color="default2">No recompute has run yet.</Text>}
      </Box>
      {error !== null && <ErrorState error={error} />}
    </Box>
  );
};
