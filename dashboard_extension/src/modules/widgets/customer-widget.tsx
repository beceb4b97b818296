import { Box, Button, Text, Textarea } from "@saleor/macaw-ui";
import { type FormEvent, useState } from "react";

import type {
  CustomerNoteAddMutation,
  CustomerNoteAddMutationVariables,
  CustomerRecommendationsQuery,
  CustomerRecommendationsQueryVariables,
  CustomerRecordQuery,
  CustomerRecordQueryVariables,
} from "../../generated/graphql";
import { assertPayload, describeError } from "../api/crm-client";
import { useCrmMutation, useCrmQuery } from "../api/use-crm-query";
import { useBridge } from "../bridge/bridge-provider";
import { readEntityParams } from "../bridge/bridge-state";
import { formatDateTime } from "../format/format";
import { CustomerSatisfaction } from "../satisfaction/customer-satisfaction";
import { Section } from "../ui/layout";
import { EmptyState, ErrorState, LoadingState, QueryView } from "../ui/page-states";
import { ChannelPicker } from "../channels/channel-picker";
import NOTE_ADD from "./customer-note-add.graphql?raw";
import RECOMMENDATIONS from "./customer-recommendations.graphql?raw";
import RECORD from "./customer-record.graphql?raw";
import { CustomerSummary, type CustomerRecord } from "./customer-summary";
import { CustomerTimeline } from "./customer-timeline";
import { RecommendationList } from "./recommendation-list";
import { MissingEntity, WidgetFrame } from "./widget-frame";

const TIMELINE_LENGTH = 20;

const Notes = ({ customer, onAdded }: { customer: CustomerRecord; onAdded: () => void }) => {
  const { state } = useBridge();
  const [text, setText] = useState("");
  const [error, setError] = useState<unknown>(null);
  const add = useCrmMutation<CustomerNoteAddMutation, CustomerNoteAddMutationVariables>(NOTE_ADD);
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      assertPayload((await add.run({ customer: customer.id, note: text.trim() })).crmCustomerNoteAdd);
      setText("");
      onAdded();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <Box display="flex" flexDirection="column" gap={2} data-testid="customer-notes">
      {customer.notes.length === 0 ? (
        <Text size={2} color="default2">No notes yet.</Text>
      ) : (
        <Box as="ul" display="flex" flexDirection="column" gap={2} padding={0} margin={0} style={{ listStyle: "none" }}>
          {customer.notes.map((note, index) => (
            <Box as="li" key={`${note.createdAt}-${index}`}>
              <Text size={3}>{note.text}</Text>
              <Text size={1} color="default2" display="block">
                {note.authorEmail} · {formatDateTime(note.createdAt, state.locale)}
              </Text>
            </Box>
          ))}
        </Box>
      )}
      <Box as="form" display="flex" flexDirection="column" gap={2} onSubmit={onSubmit}>
        <Textarea label="Add a note" rows={2} value={text} onChange={(event) => setText(event.target.value)} />
        <Box>
          <Button type="submit" variant="secondary" disabled={!text.trim() || add.pending}>
            {add.pending ? "Adding…" : "Add note"}
          </Button>
        </Box>
        {error ? <Text size={2} color="critical1" role="alert">{describeError(error)}</Text> : null}
      </Box>
    </Box>
  );
};

const Recommendations = ({ customer }: { customer: CustomerRecord }) => {
  const { state } = useBridge();
  const [chosen, setChosen] = useState(""); // the picker starts on the shop's default channel
  const channel = customer.channels.includes(chosen) ? chosen : null;
  const query = useCrmQuery<CustomerRecommendationsQuery, CustomerRecommendationsQueryVariables>(
    RECOMMENDATIONS,
    { id: customer.id, channel: channel ?? "", first: 5 },
    { skip: !channel },
  );
  if (customer.channels.length === 0) {
    return <Text size={2} color="default2">No orders yet, so no channel to recommend in.</Text>;
  }
  return (
    <Box display="flex" flexDirection="column" gap={2}>
      <ChannelPicker only={customer.channels} value={channel ?? ""} onChange={setChosen} width="240px" />
      {!channel ? null : query.error ? (
        <ErrorState error={query.error} onRetry={query.refetch} />
      ) : !query.data ? (
        <LoadingState rows={2} />
      ) : (
        <RecommendationList items={query.data.crmCustomer?.recommendations ?? []} locale={state.locale}
          emptyText="The model has nothing for this customer in this channel yet." />
      )}
    </Box>
  );
};

/** CUSTOMER_DETAILS_WIDGETS: the customer's whole CRM record. */
export const CustomerWidget = () => {
  const { state } = useBridge();
  const { customerId } = readEntityParams(window.location.href);
  const query = useCrmQuery<CustomerRecordQuery, CustomerRecordQueryVariables>(
    RECORD,
    { id: customerId ?? null, email: null, orderId: null, timeline: TIMELINE_LENGTH },
    { skip: !customerId },
  );
  return (
    <WidgetFrame title="CRM record" testId="customer-widget">
      {!customerId ? (
        <MissingEntity what="customer" />
      ) : (
        <QueryView query={query} loadingLabel="Loading the CRM record…">
          {({ crmCustomer: customer }) =>
            !customer ? (
              <EmptyState title="Not in the CRM yet">The CRM learns about a customer with their first order or sign-up.</EmptyState>
            ) : (
              <>
                <CustomerSummary customer={customer} locale={state.locale} />
                <Section title="Satisfaction">
                  <CustomerSatisfaction satisfaction={customer.satisfaction} locale={state.locale} />
                </Section>
                <Section title="Recommended for this customer">
                  <Recommendations customer={customer} />
                </Section>
                <Section title="Notes">
                  <Notes customer={customer} onAdded={query.refetch} />
                </Section>
                <Section title="Timeline">
                  <CustomerTimeline customerId={customer.id} facts={customer.timeline} first={TIMELINE_LENGTH}
                    locale={state.locale} />
                </Section>
              </>
            )
          }
        </QueryView>
      )}
    </WidgetFrame>
  );
};
