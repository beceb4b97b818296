import { Box, Button, Text } from "@saleor/macaw-ui";
import { type FormEvent, useState } from "react";

import type { RecommendationModelsQuery, RecommendationModelsQueryVariables } from "../../generated/graphql";
import { useCrmQuery } from "../api/use-crm-query";
import { useBridge } from "../bridge/bridge-provider";
import { Section } from "../ui/layout";
import { QueryView } from "../ui/page-states";
import { TextInput } from "../ui/text-input";
import { ProductRecommendations } from "../widgets/product-widget";
import MODELS from "./recommendation-models.graphql?raw";
import { ModelVersions } from "./model-versions";
import { TrainNow } from "./train-now";

/** Recommendations: the trained versions with their evaluation, "train now", and the lists for any product. */
const RecommendationsPage = () => {
  const { state } = useBridge();
  const models = useCrmQuery<RecommendationModelsQuery, RecommendationModelsQueryVariables>(MODELS, { first: 10 });
  const [draft, setDraft] = useState("");
  const [productId, setProductId] = useState<string | null>(null);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setProductId(draft.trim() || null);
  };
  return (
    <Box display="flex" flexDirection="column" gap={4} data-testid="recommendations-page">
      <Section title="Models" actions={<TrainNow onQueued={models.refetch} />}>
        <QueryView query={models} loadingLabel="Loading the trained versions…">
          {({ crmRecommendationModels }) => <ModelVersions versions={crmRecommendationModels} locale={state.locale} />}
        </QueryView>
      </Section>
      <Section title="Try recommendations for a product">
        <Box as="form" display="flex" gap={2} alignItems="flex-end" onSubmit={onSubmit}>
          <TextInput label="Saleor product ID" value={draft} onChange={(event) => setDraft(event.target.value)} />
          <Button type="submit" variant="secondary" disabled={!draft.trim()}>Show</Button>
        </Box>
        {productId ? (
          <ProductRecommendations key={productId} productId={productId} />
        ) : (
          <Text size={2} color="default2">Paste a product's ID from its Dashboard address.</Text>
        )}
      </Section>
    </Box>
  );
};

export default RecommendationsPage;
