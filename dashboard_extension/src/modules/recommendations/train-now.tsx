import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";

import type { RecommendationTrainMutation, RecommendationTrainMutationVariables } from "../../generated/graphql";
import { assertPayload } from "../api/crm-client";
import { useCrmMutation } from "../api/use-crm-query";
import { notifyDashboard } from "../bridge/bridge";
import { ErrorState } from "../ui/page-states";
import TRAIN from "./recommendation-train.graphql?raw";

/** "Train now": hands a training to a worker; says whether it was queued or why not. */
export const TrainNow = ({ onQueued }: { onQueued?: () => void }) => {
  const train = useCrmMutation<RecommendationTrainMutation, RecommendationTrainMutationVariables>(TRAIN);
  const [result, setResult] = useState<{ queued: true } | { error: unknown } | null>(null);
  const onClick = async () => {
    setResult(null);
    try {
      assertPayload((await train.run({})).crmRecommendationTrain);
      setResult({ queued: true });
      notifyDashboard("success", "Training queued", "A worker trains the models; the new version appears here when done.");
      onQueued?.();
    } catch (error) {
      setResult({ error });
    }
  };
  return (
    <Box display="flex" flexDirection="column" gap={2} alignItems="flex-end">
      <Button onClick={onClick} disabled={train.pending}>
        {train.pending ? "Queuing…" : "Train now"}
      </Button>
      <Box role="status" aria-live="polite" data-testid="train-result">
        {result && "queued" in result && (
          <Text size={2}>Training queued: the new version appears here when the worker is done.</Text>
        )}
      </Box>
      {result && "error" in result && <ErrorState error={result.error} />}
    </Box>
  );
};
