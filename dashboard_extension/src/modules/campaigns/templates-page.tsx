import { Box, Button, Select, Text, Textarea } from "@saleor/macaw-ui";
import { useState } from "react";
import { type MessageDescriptor, useIntl } from "react-intl";

import type {
  CrmEmailTemplateFormat,
  EmailTemplateCreateMutation,
  EmailTemplateCreateMutationVariables,
  EmailTemplateListQuery,
  EmailTemplateRenderQuery,
  EmailTemplateRenderQueryVariables,
  EmailTemplateTestSendMutation,
  EmailTemplateTestSendMutationVariables,
  EmailTemplateUpdateMutation,
  EmailTemplateUpdateMutationVariables,
  PreviewCustomerQuery,
  PreviewCustomerQueryVariables,
} from "../../generated/graphql";
import { assertPayload, describeError } from "../api/crm-client";
import { useCrmMutation, useCrmQuery } from "../api/use-crm-query";
import { notifyDashboard } from "../bridge/bridge";
import { ChannelPicker } from "../channels/channel-picker";
import { Section } from "../ui/layout";
import { ErrorState, LoadingState, QueryView } from "../ui/page-states";
import { useDebounced } from "../ui/use-debounced";
import CREATE from "./email-template-create.graphql?raw";
import PREVIEW from "./email-template-preview.graphql?raw";
import TEST_SEND from "./email-template-test-send.graphql?raw";
import UPDATE from "./email-template-update.graphql?raw";
import TEMPLATES from "./email-templates.graphql?raw";
import PREVIEW_CUSTOMER from "./preview-customer.graphql?raw";
import { TextInput } from "../ui/text-input";
import { draftFromTemplate, emptyDraft, parseAddresses, previewHint, type TemplateDraft, toTemplateInput } from "./template-draft";

const FORMATS: { value: CrmEmailTemplateFormat; label: string }[] = [
  { value: "MJML", label: "MJML" },
  { value: "HTML", label: "HTML" },
];

const messages = {
  chooseChannel: { id: "templates.preview.chooseChannel", defaultMessage: "Choose a channel to preview." },
} satisfies Record<string, MessageDescriptor>;

/** The rendered mail for the draft as it stands, for one customer (or sample data). */
const LivePreview = ({ draft, channel, customerEmail }: { draft: TemplateDraft; channel: string; customerEmail: string }) => {
  const intl = useIntl();
  const settledEmail = useDebounced(customerEmail.trim(), 500);
  const customer = useCrmQuery<PreviewCustomerQuery, PreviewCustomerQueryVariables>(
    PREVIEW_CUSTOMER,
    { email: settledEmail },
    { skip: !settledEmail },
  );
  const customerId = settledEmail ? customer.data?.crmCustomer?.id : undefined;
  const input = useDebounced(toTemplateInput(draft), 500);
  const settledChannel = useDebounced(channel.trim(), 500);
  const waitingForCustomer = Boolean(settledEmail) && customer.data === undefined && !customer.error;
  const hint = previewHint(input);
  const preview = useCrmQuery<EmailTemplateRenderQuery, EmailTemplateRenderQueryVariables>(
    PREVIEW,
    { channel: settledChannel, input, customerId: customerId ?? null, templateId: null },
    { skip: !settledChannel || waitingForCustomer || Boolean(hint) },
  );

  return (
    <Box display="flex" flexDirection="column" gap={2} data-testid="template-preview">
      {settledEmail && customer.data && !customer.data.crmCustomer && (
        <Text size={2} color="warning1">No customer with this email; the preview uses sample data.</Text>
      )}
      {!settledChannel ? (
        <Text size={2} color="default2">{intl.formatMessage(messages.chooseChannel)}</Text>
      ) : hint ? (
        <Text size={2} color="default2" data-testid="preview-hint">{hint}</Text>
      ) : preview.error ? (
        <ErrorState error={preview.error} />
      ) : !preview.data ? (
        <LoadingState label="Rendering…" rows={2} />
      ) : (
        <>
          <Text size={3}>
            <strong>Subject:</strong> <span data-testid="preview-subject">{preview.data.crmEmailTemplatePreview.subject}</span>
            {preview.loading ? " (updating…)" : ""}
          </Text>
          {/* Rendered mail is untrusted markup: a sandbox without scripts or same-origin access. */}
          <Box
            as="iframe"
            title="Rendered email"
            sandbox=""
            srcDoc={preview.data.crmEmailTemplatePreview.html}
            __height="420px"
            width="100%"
            borderStyle="solid"
            borderWidth={1}
            borderColor="default1"
            borderRadius={2}
            backgroundColor="default1"
          />
        </>
      )}
    </Box>
  );
};

const TemplateEditor = ({ initial, onSaved }: { initial: TemplateDraft; onSaved: (id: string) => void }) => {
  const [draft, setDraft] = useState(initial);
  const [channel, setChannel] = useState(""); // the picker starts on the shop's default channel
  const [customerEmail, setCustomerEmail] = useState("");
  const [addresses, setAddresses] = useState("");
  const [error, setError] = useState<unknown>(null);
  const create = useCrmMutation<EmailTemplateCreateMutation, EmailTemplateCreateMutationVariables>(CREATE);
  const update = useCrmMutation<EmailTemplateUpdateMutation, EmailTemplateUpdateMutationVariables>(UPDATE);
  const testSend = useCrmMutation<EmailTemplateTestSendMutation, EmailTemplateTestSendMutationVariables>(TEST_SEND);
  const lookup = useCrmMutation<PreviewCustomerQuery, PreviewCustomerQueryVariables>(PREVIEW_CUSTOMER);
  const set = (patch: Partial<TemplateDraft>) => setDraft((current) => ({ ...current, ...patch }));

  const save = async () => {
    setError(null);
    try {
      const input = toTemplateInput(draft);
      const saved = draft.id
        ? assertPayload((await update.run({ id: draft.id, input })).crmEmailTemplateUpdate).emailTemplate
        : assertPayload((await create.run({ input })).crmEmailTemplateCreate).emailTemplate;
      if (saved) {
        set({ id: saved.id });
        notifyDashboard("success", "Template saved", saved.name);
        onSaved(saved.id);
      }
    } catch (caught) {
      setError(caught);
    }
  };

  const send = async () => {
    setError(null);
    try {
      if (!draft.id) throw new Error("Save the template before a test send.");
      const list = parseAddresses(addresses);
      if (list.length === 0) throw new Error("Enter at least one address.");
      const email = customerEmail.trim();
      const customerId = email ? (await lookup.run({ email })).crmCustomer?.id ?? null : null;
      const payload = assertPayload(
        (await testSend.run({ templateId: draft.id, addresses: list, channel: channel.trim(), customerId })).crmEmailTemplateTestSend,
      );
      notifyDashboard("success", "Test mail sent", `${payload.messageIds?.length ?? 0} message(s)`);
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <Box display="grid" gap={4} __gridTemplateColumns="repeat(auto-fit, minmax(360px, 1fr))">
      <Box display="flex" flexDirection="column" gap={3} data-testid="template-editor">
        <TextInput label="Name" required value={draft.name} onChange={(event) => set({ name: event.target.value })} />
        <TextInput label="Subject" value={draft.subject} onChange={(event) => set({ subject: event.target.value })} />
        <TextInput label="Preheader" value={draft.preheader} onChange={(event) => set({ preheader: event.target.value })} />
        <Box __width="160px">
          <Select label="Format" options={FORMATS}
            value={FORMATS.find((option) => option.value === draft.bodyFormat) ?? FORMATS[0]}
            onChange={(option) => set({ bodyFormat: option.value as CrmEmailTemplateFormat })} />
        </Box>
        <Textarea label="Body" rows={14} value={draft.body} onChange={(event) => set({ body: event.target.value })}
          fontFamily="Geist Mono" />
        <Textarea label="Plain-text version" rows={5} value={draft.text} onChange={(event) => set({ text: event.target.value })} />
        <Box display="flex" gap={2}>
          <Button onClick={save} disabled={!draft.name.trim() || create.pending || update.pending}>
            {create.pending || update.pending ? "Saving…" : draft.id ? "Save changes" : "Create template"}
          </Button>
        </Box>
        <Box display="flex" gap={2} alignItems="flex-end" flexWrap="wrap">
          <TextInput label="Test-send to (addresses)" value={addresses} onChange={(event) => setAddresses(event.target.value)} />
          <Button variant="secondary" onClick={send} disabled={!draft.id || testSend.pending}>
            {testSend.pending ? "Sending…" : "Send test"}
          </Button>
        </Box>
        {error ? <Text size={2} color="critical1" role="alert">{describeError(error)}</Text> : null}
      </Box>
      <Box display="flex" flexDirection="column" gap={3}>
        <Box display="flex" gap={2} flexWrap="wrap">
          <ChannelPicker value={channel} onChange={setChannel} size="medium" />
          <TextInput label="Preview for customer (email)" value={customerEmail} type="email"
            onChange={(event) => setCustomerEmail(event.target.value)} />
        </Box>
        <LivePreview draft={draft} channel={channel} customerEmail={customerEmail} />
      </Box>
    </Box>
  );
};

const TemplatesPage = () => {
  const templates = useCrmQuery<EmailTemplateListQuery, { first: number }>(TEMPLATES, { first: 100 });
  // `editing` changes only when a template is picked: saving keeps the editor (and its preview customer and
  // channel) mounted, while `selected` follows the saved template's id.
  const [selected, setSelected] = useState<string>("new");
  const [editing, setEditing] = useState(0);
  const pick = (id: string) => {
    setSelected(id);
    setEditing((n) => n + 1);
  };

  return (
    <Section title="Email templates">
      <QueryView query={templates} loadingLabel="Loading templates…">
        {({ crmEmailTemplates }) => {
          const options = [
            { value: "new", label: "New template" },
            ...crmEmailTemplates.edges.map(({ node }) => ({ value: node.id, label: node.name })),
          ];
          const template = crmEmailTemplates.edges.find(({ node }) => node.id === selected)?.node;
          return (
            <Box display="flex" flexDirection="column" gap={3} data-testid="templates-page">
              <Box __width="300px">
                <Select label="Template" options={options}
                  value={options.find((option) => option.value === selected) ?? options[0]}
                  onChange={(option) => pick(option.value)} />
              </Box>
              <TemplateEditorFor key={editing} template={template} onSaved={(id) => { templates.refetch(); setSelected(id); }} />
            </Box>
          );
        }}
      </QueryView>
    </Section>
  );
};

const TemplateEditorFor = ({
  template,
  onSaved,
}: {
  template: EmailTemplateListQuery["crmEmailTemplates"]["edges"][number]["node"] | undefined;
  onSaved: (id: string) => void;
}) => {
  // The draft starts from the template picked; later versions of it (after a save) do not reset the editor.
  const [initial] = useState(() => (template ? draftFromTemplate(template) : emptyDraft()));
  return <TemplateEditor initial={initial} onSaved={onSaved} />;
};

export default TemplatesPage;
