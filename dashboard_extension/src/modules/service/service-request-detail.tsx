import { Box, Button, Text, Textarea } from "@saleor/macaw-ui";
import { type FormEvent, useState } from "react";

import type {
  CloseServiceRequestMutation,
  CloseServiceRequestMutationVariables,
  ReplyToServiceRequestMutation,
  ReplyToServiceRequestMutationVariables,
  ServiceRequestQuery,
  ServiceRequestQueryVariables,
} from "../../generated/graphql";
import { assertPayload, describeError } from "../api/crm-client";
import { useCrmMutation, useCrmQuery } from "../api/use-crm-query";
import { notifyDashboard } from "../bridge/bridge";
import { useBridge } from "../bridge/bridge-provider";
import { formatDateTime, formatDuration, humanize } from "../format/format";
import { ToneChip } from "../ui/chips";
import { Kpi, KpiGrid, Section } from "../ui/layout";
import { OpenInDashboardButton } from "../ui/open-in-dashboard";
import { EmptyState, QueryView } from "../ui/page-states";
import { type ReplyAttempt, replyAttemptFor } from "./reply-attempt";
import CLOSE from "./service-request-close.graphql?raw";
import REPLY from "./service-request-reply.graphql?raw";
import REQUEST from "./service-request.graphql?raw";
import { customerName, STATUS_TONES } from "./service-words";

type Request = NonNullable<ServiceRequestQuery["crmServiceRequest"]>;
type Message = Request["messages"][number];

const MessageView = ({ message, locale }: { message: Message; locale: string }) => {
  const inbound = message.direction === "INBOUND";
  const who = inbound ? "Customer" : message.author || "Staff";
  const at = inbound ? message.createdAt : (message.sentAt ?? message.createdAt);
  return (
    <Box as="li" display="flex" flexDirection="column" gap={1} padding={3} borderRadius={4} borderStyle="solid"
      borderWidth={1} borderColor="default1" backgroundColor={inbound ? "default2" : "default1"}
      __marginLeft={inbound ? "0" : "48px"} __marginRight={inbound ? "48px" : "0"}
      data-testid={`message-${message.direction.toLowerCase()}`}>
      <Box display="flex" gap={2} alignItems="center" flexWrap="wrap">
        <Text size={3} fontWeight="bold">{who}</Text>
        <Text size={2} color="default2">
          {inbound ? "wrote" : "replied"} {formatDateTime(at, locale)} · via {humanize(message.via)}
        </Text>
        {!inbound && message.state !== "SENT" && (
          <ToneChip tone={message.state === "FAILED" ? "critical" : "warning"}>{humanize(message.state)}</ToneChip>
        )}
      </Box>
      <Text size={3} __whiteSpace="pre-wrap">{message.body}</Text>
      {message.error && <Text size={2} color="critical1">{message.error}</Text>}
    </Box>
  );
};

const ReplyForm = ({ request, onSent }: { request: Request; onSent: () => void }) => {
  const [text, setText] = useState("");
  // The last attempt that did not succeed: sending the same text again reuses its key.
  const [unfinished, setUnfinished] = useState<ReplyAttempt | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reply = useCrmMutation<ReplyToServiceRequestMutation, ReplyToServiceRequestMutationVariables>(REPLY);
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const attempt = replyAttemptFor(unfinished, text);
    setUnfinished(attempt);
    setError(null);
    try {
      const data = await reply.run({ id: request.id, body: attempt.text, idempotencyKey: attempt.key });
      assertPayload(data.crmServiceRequestReply);
      setUnfinished(null);
      setText("");
      notifyDashboard("success", "Reply sent", request.email ? `To ${request.email}` : undefined);
      onSent();
    } catch (caught) {
      setError(caught);
      onSent(); // a refused mail is in the thread as FAILED
    }
  };
  return (
    <Box as="form" display="flex" flexDirection="column" gap={2} onSubmit={onSubmit} data-testid="reply-form">
      <Textarea label="Reply to the customer" rows={5} value={text} onChange={(event) => setText(event.target.value)} />
      <Box display="flex" gap={2} alignItems="center">
        <Button type="submit" disabled={!text.trim() || reply.pending}>
          {reply.pending ? "Sending…" : unfinished && unfinished.text === text.trim() && error ? "Try sending again" : "Send reply"}
        </Button>
        <Text size={2} color="default2">Sent by email in the request's thread.</Text>
      </Box>
      {error ? <Text size={2} color="critical1" role="alert">{describeError(error)}</Text> : null}
    </Box>
  );
};

const CloseButton = ({ request, onClosed }: { request: Request; onClosed: () => void }) => {
  const close = useCrmMutation<CloseServiceRequestMutation, CloseServiceRequestMutationVariables>(CLOSE);
  const [error, setError] = useState<unknown>(null);
  const onClick = async () => {
    setError(null);
    try {
      assertPayload((await close.run({ id: request.id })).crmServiceRequestClose);
      notifyDashboard("success", "Request closed", request.subject);
      onClosed();
    } catch (caught) {
      setError(caught);
    }
  };
  return (
    <Box display="flex" flexDirection="column" gap={1} alignItems="flex-end">
      <Button variant="secondary" onClick={onClick} disabled={close.pending}>
        {close.pending ? "Closing…" : "Close request"}
      </Button>
      {error ? <Text size={2} color="critical1" role="alert">{describeError(error)}</Text> : null}
    </Box>
  );
};

/** One request: who and what, its times, the thread, the reply box and the close button. */
export const ServiceRequestDetail = ({ id, onBack }: { id: string; onBack: () => void }) => {
  const { state } = useBridge();
  const locale = state.locale;
  const query = useCrmQuery<ServiceRequestQuery, ServiceRequestQueryVariables>(REQUEST, { id });
  const back = <Button variant="secondary" onClick={onBack}>Back to the queue</Button>;
  return (
    <QueryView query={query} loadingLabel="Loading the request…">
      {({ crmServiceRequest: request }) =>
        !request ? (
          <Section title="Service request" actions={back}>
            <EmptyState title="No such request">It may have been erased with its customer.</EmptyState>
          </Section>
        ) : (
          <Box display="flex" flexDirection="column" gap={4} data-testid="service-request">
            <Section title={request.subject || humanize(request.kind)} actions={back}>
              <Box display="flex" gap={2} alignItems="center" flexWrap="wrap">
                <Box data-testid="request-status" display="contents">
                  <ToneChip tone={STATUS_TONES[request.status]}>{humanize(request.status)}</ToneChip>
                </Box>
                <ToneChip tone="neutral">{humanize(request.kind)}</ToneChip>
                <Text size={3}>{customerName(request.customer)}</Text>
                {request.customer.userId ? (
                  <OpenInDashboardButton kind="customer" id={request.customer.userId} subject={customerName(request.customer)} />
                ) : (
                  <Text size={2} color="default2">Guest</Text>
                )}
                {request.orderNumber && (
                  <Text size={2} color="default2">Order {request.orderNumber}</Text>
                )}
                {request.orderId && (
                  <OpenInDashboardButton kind="order" id={request.orderId} subject={`order ${request.orderNumber || ""}`.trim()} />
                )}
              </Box>
              <KpiGrid>
                <Kpi label="Opened" value={formatDateTime(request.createdAt, locale)} hint={request.channel || undefined} />
                <Kpi label="First response" value={formatDuration(request.firstResponseSeconds, locale)}
                  hint={request.firstResponseAt ? formatDateTime(request.firstResponseAt, locale) : "no reply yet"} />
                <Kpi label="Resolution" value={formatDuration(request.resolutionSeconds, locale)}
                  hint={request.closedAt ? `closed ${formatDateTime(request.closedAt, locale)}${request.closedBy ? ` by ${request.closedBy}` : ""}` : "not closed yet"} />
              </KpiGrid>
            </Section>
            <Section title="Conversation">
              {request.messages.length === 0 ? (
                <EmptyState title="No messages" />
              ) : (
                <Box as="ol" display="flex" flexDirection="column" gap={2} padding={0} margin={0} style={{ listStyle: "none" }}>
                  {request.messages.map((message) => (
                    <MessageView key={message.id} message={message} locale={locale} />
                  ))}
                </Box>
              )}
            </Section>
            <Section title="Reply" actions={request.status !== "CLOSED" ? <CloseButton request={request} onClosed={query.refetch} /> : undefined}>
              {request.status === "CLOSED" ? (
                <Text size={2} color="default2">This request is closed. A new message from the customer reopens it.</Text>
              ) : !request.email ? (
                <Text size={2} color="default2">The customer's address was erased: there is nowhere to reply to.</Text>
              ) : (
                <ReplyForm request={request} onSent={query.refetch} />
              )}
            </Section>
          </Box>
        )
      }
    </QueryView>
  );
};
