import { Box, Button, Text } from "@saleor/macaw-ui";
import { type FormEvent, useState } from "react";

import type {
  CrmSettingsQuery, CrmSettingsTestMailSendMutation, CrmSettingsTestMailSendMutationVariables,
  CrmSettingsUpdateMutation, CrmSettingsUpdateMutationVariables,
} from "../../generated/graphql";
import { assertPayload, CrmApiError, type CrmFieldError, describeError } from "../api/crm-client";
import { useCrmMutation, useCrmQuery } from "../api/use-crm-query";
import { notifyDashboard } from "../bridge/bridge";
import { Section } from "../ui/layout";
import { QueryView } from "../ui/page-states";
import { TextInput } from "../ui/text-input";
import {
  clearSecret, draftFrom, errorsByField, hasChanges, isNumberField, isSecretField, providerKind, replaceSecret,
  SECTIONS, type SettingField, type Settings, type SettingsDraft, testMailErrors, toSettingsInput,
} from "./settings-form";
import { FIELD_MESSAGES, MESSAGES, SECTION_MESSAGES } from "./settings-messages";
import TEST_MAIL from "./settings-test-mail-send.graphql?raw";
import UPDATE from "./settings-update.graphql?raw";
import SETTINGS from "./settings.graphql?raw";

const FieldErrors = ({ errors, id }: { errors?: CrmFieldError[]; id: string }) =>
  errors?.length ? (
    <Box id={id} role="alert" display="flex" flexDirection="column" data-testid={id}>
      {errors.map((error) => (
        <Text key={`${error.code}-${error.message}`} size={2} color="critical1" data-code={error.code}>
          {error.message}
        </Text>
      ))}
    </Box>
  ) : null;

const Help = ({ id, children }: { id: string; children: string }) => (
  <Text id={id} size={2} color="default2">{children}</Text>
);

/** A write-only setting: "Set — Replace / Remove" while one is saved, an empty field to type a new one. */
const SecretInput = ({ field, draft, settings, errors, onChange }: {
  field: "emailApiKey" | "smtpUrl" | "trackingWebhookSecret";
  draft: SettingsDraft;
  settings: Settings;
  errors?: CrmFieldError[];
  onChange: (draft: SettingsDraft) => void;
}) => {
  const secret = draft.secrets[field];
  const { label, help } = FIELD_MESSAGES[field];
  const set = (next: typeof secret) => onChange({ ...draft, secrets: { ...draft.secrets, [field]: next } });
  const errorId = `${field}-errors`;
  if (settings[field].pinned) {
    return (
      <Box display="flex" flexDirection="column" gap={1} data-testid={`setting-${field}`}>
        <Text size={3} fontWeight="bold">{label}</Text>
        <Text size={2}>{settings[field].isSet ? MESSAGES.secretSet : MESSAGES.secretNotSet} · {MESSAGES.pinned}</Text>
      </Box>
    );
  }
  return (
    <Box display="flex" flexDirection="column" gap={1} data-testid={`setting-${field}`}>
      {secret.replacing ? (
        <Box display="flex" gap={2} alignItems="flex-start" flexWrap="wrap">
          <Box __width="420px" __maxWidth="100%">
            <TextInput label={secret.isSet ? MESSAGES.newValue(label) : label} type="password" autoComplete="off"
              value={secret.value} error={Boolean(errors?.length)} data-testid={`input-${field}`}
              aria-describedby={`${field}-help${errors?.length ? ` ${errorId}` : ""}`}
              onChange={(event) => set({ ...secret, value: event.target.value })} />
          </Box>
          {secret.isSet && (
            <Button type="button" variant="secondary" onClick={() => set(replaceSecret(secret, false))}>
              {MESSAGES.secretKeep}
            </Button>
          )}
        </Box>
      ) : (
        <Box display="flex" gap={2} alignItems="center" flexWrap="wrap">
          <Text size={3} fontWeight="bold">{label}:</Text>
          <Text size={3} data-testid={`secret-state-${field}`}>
            {secret.clear ? MESSAGES.secretRemoved : MESSAGES.secretSet}
          </Text>
          <Button type="button" variant="secondary" size="small" data-testid={`replace-${field}`}
            onClick={() => set(replaceSecret(secret, true))}>
            {MESSAGES.secretReplace}
          </Button>
          {!secret.clear && (
            <Button type="button" variant="tertiary" size="small" onClick={() => set(clearSecret(secret))}>
              {MESSAGES.secretRemove}
            </Button>
          )}
        </Box>
      )}
      <Help id={`${field}-help`}>{help}</Help>
      <FieldErrors id={errorId} errors={errors} />
    </Box>
  );
};

const SettingInput = ({ field, draft, settings, errors, onChange }: {
  field: SettingField;
  draft: SettingsDraft;
  settings: Settings;
  errors?: CrmFieldError[];
  onChange: (draft: SettingsDraft) => void;
}) => {
  if (isSecretField(field)) {
    return <SecretInput field={field} draft={draft} settings={settings} errors={errors} onChange={onChange} />;
  }
  const { label, help } = FIELD_MESSAGES[field];
  const errorId = `${field}-errors`;
  const pinned = settings[field].pinned;
  const number = isNumberField(field) ? settings[field] : null;
  const value = isNumberField(field) ? draft.numbers[field] : draft.texts[field];
  const setValue = (next: string) =>
    onChange(isNumberField(field)
      ? { ...draft, numbers: { ...draft.numbers, [field]: next } }
      : { ...draft, texts: { ...draft.texts, [field]: next } });
  return (
    <Box display="flex" flexDirection="column" gap={1} data-testid={`setting-${field}`}>
      <Box __width={number ? "260px" : "520px"} __maxWidth="100%">
        <TextInput label={label} value={value} disabled={pinned} error={Boolean(errors?.length)}
          type={number ? "number" : "text"} min={number?.minimum} max={number?.maximum} step={number ? 1 : undefined}
          data-testid={`input-${field}`} aria-describedby={`${field}-help${errors?.length ? ` ${errorId}` : ""}`}
          onChange={(event) => setValue(event.target.value)} />
      </Box>
      <Help id={`${field}-help`}>
        {pinned ? MESSAGES.pinned : number ? `${help} (${number.minimum}–${number.maximum})` : help}
      </Help>
      <FieldErrors id={errorId} errors={errors} />
    </Box>
  );
};

const WebhookUrl = ({ url }: { url: string | null }) => {
  const [copied, setCopied] = useState(false);
  if (!url) return <Text size={2} color="default2" data-testid="webhook-url-none">{MESSAGES.webhookNone}</Text>;
  const copy = () => {
    void navigator.clipboard?.writeText(url).then(() => setCopied(true), () => setCopied(false));
  };
  return (
    <Box display="flex" flexDirection="column" gap={1}>
      <Text size={3} fontWeight="bold">{MESSAGES.webhookUrl}</Text>
      <Box display="flex" gap={2} alignItems="center" flexWrap="wrap">
        <Text size={3} data-testid="webhook-url" __wordBreak="break-all">{url}</Text>
        <Button type="button" variant="secondary" size="small" onClick={copy} data-testid="copy-webhook-url">
          {copied ? MESSAGES.copied : MESSAGES.copy}
        </Button>
      </Box>
      <Text size={2} color="default2">{MESSAGES.webhookHelp}</Text>
    </Box>
  );
};

const TestMail = ({ dirty }: { dirty: boolean }) => {
  const [to, setTo] = useState("");
  const [errors, setErrors] = useState<Record<string, CrmFieldError[]>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [sent, setSent] = useState("");
  const send = useCrmMutation<CrmSettingsTestMailSendMutation, CrmSettingsTestMailSendMutationVariables>(TEST_MAIL);
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setFailure(null);
    setSent("");
    try {
      assertPayload((await send.run({ to })).crmSettingsTestMailSend);
      setSent(to.trim());
    } catch (caught) {
      if (caught instanceof CrmApiError && caught.kind === "validation") setErrors(testMailErrors(caught.fieldErrors));
      else setFailure(caught);
    }
  };
  // A setting's error (not_configured) is shown here too: the test mail is what found it.
  const shown = Object.entries(errors).filter(([key]) => key !== "to").flatMap(([, list]) => list);
  return (
    <Box as="form" display="flex" flexDirection="column" gap={2} onSubmit={onSubmit} noValidate data-testid="test-mail">
      <Text size={2} color="default2">{MESSAGES.testMailHelp}</Text>
      {dirty && <Text size={2} color="warning1" data-testid="test-mail-unsaved">{MESSAGES.unsaved}</Text>}
      <Box display="flex" gap={2} alignItems="flex-start" flexWrap="wrap">
        <Box __width="320px" __maxWidth="100%">
          <TextInput label={MESSAGES.testMailTo} type="email" value={to} error={Boolean(errors.to)}
            data-testid="input-test-mail-to" aria-describedby={errors.to ? "to-errors" : undefined}
            onChange={(event) => setTo(event.target.value)} />
        </Box>
        <Button type="submit" disabled={send.pending} data-testid="send-test-mail">
          {send.pending ? MESSAGES.testMailSending : MESSAGES.testMailSend}
        </Button>
      </Box>
      <FieldErrors id="to-errors" errors={errors.to} />
      <FieldErrors id="test-mail-errors" errors={shown} />
      {failure ? <Text size={2} color="critical1" role="alert">{describeError(failure)}</Text> : null}
      {sent && <Text size={2} role="status" data-testid="test-mail-sent">{MESSAGES.testMailSent(sent)}</Text>}
    </Box>
  );
};

const SettingsForm = ({ settings, onSaved }: { settings: Settings; onSaved: () => void }) => {
  const [draft, setDraft] = useState<SettingsDraft>(() => draftFrom(settings));
  const [errors, setErrors] = useState<Record<string, CrmFieldError[]>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const [status, setStatus] = useState("");
  const update = useCrmMutation<CrmSettingsUpdateMutation, CrmSettingsUpdateMutationVariables>(UPDATE);
  const provider = providerKind(draft.texts.emailProvider);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setStatus("");
    const checked = toSettingsInput(draft, settings);
    if (checked.errors.length) {
      setErrors(errorsByField(checked.errors));
      return;
    }
    if (Object.keys(checked.input).length === 0) {
      setErrors({});
      setStatus(MESSAGES.nothingToSave);
      return;
    }
    try {
      assertPayload((await update.run({ input: checked.input })).crmSettingsUpdate);
      setErrors({});
      notifyDashboard("success", MESSAGES.saved);
      onSaved();
    } catch (caught) {
      if (caught instanceof CrmApiError && caught.kind === "validation") setErrors(errorsByField(caught.fieldErrors));
      else setFailure(caught);
    }
  };

  const visible = (field: SettingField) =>
    !((field === "emailApiKey" && provider !== "esp" && !draft.secrets.emailApiKey.isSet)
      || (field === "smtpUrl" && provider !== "smtp" && !draft.secrets.smtpUrl.isSet));

  return (
    <Box display="flex" flexDirection="column" gap={4} data-testid="settings-page">
      <Box as="form" display="flex" flexDirection="column" gap={4} onSubmit={onSubmit} noValidate data-testid="settings-form">
        <Text size={2} color="default2">{MESSAGES.intro}</Text>
        {SECTIONS.map((section) => (
          <Section key={section.id} title={SECTION_MESSAGES[section.id].title}>
            <Box display="flex" flexDirection="column" gap={3} data-testid={`section-${section.id}`}>
              <Text size={2} color="default2">{SECTION_MESSAGES[section.id].help}</Text>
              {section.fields.filter(visible).map((field) => (
                <SettingInput key={field} field={field} draft={draft} settings={settings} errors={errors[field]}
                  onChange={setDraft} />
              ))}
              {section.id === "tracking" && <WebhookUrl url={settings.trackingWebhookUrl} />}
            </Box>
          </Section>
        ))}
        <FieldErrors id="form-errors" errors={errors.form} />
        {failure ? <Text size={2} color="critical1" role="alert">{describeError(failure)}</Text> : null}
        <Box display="flex" gap={2} alignItems="center">
          <Button type="submit" disabled={update.pending} data-testid="save-settings">
            {update.pending ? MESSAGES.saving : MESSAGES.save}
          </Button>
          <Text size={2} role="status">{status}</Text>
        </Box>
      </Box>
      <Section title={MESSAGES.testMailTitle}>
        <TestMail dirty={hasChanges(draft, settings)} />
      </Section>
      <Section title={MESSAGES.schedulesTitle}>
        <Text size={2} color="default2">{MESSAGES.schedulesHelp}</Text>
        <Box as="dl" display="grid" __gridTemplateColumns="max-content auto" gap={2} margin={0} data-testid="schedules">
          {Object.entries(settings.schedules).filter(([key]) => key !== "__typename").map(([key, value]) => (
            <Box key={key} display="contents">
              <Box as="dt"><Text size={3}>{MESSAGES.schedules[key] ?? key}</Text></Box>
              <Box as="dd" margin={0}><Text size={3}>{String(value)}</Text></Box>
            </Box>
          ))}
        </Box>
      </Section>
    </Box>
  );
};

/** The CRM's Settings page: the plugin configuration, grouped, saved with per-field errors; a test mail. */
const SettingsPage = () => {
  const query = useCrmQuery<CrmSettingsQuery, Record<string, never>>(SETTINGS, {});
  return (
    <QueryView query={query} loadingLabel={MESSAGES.loading}>
      {({ crmSettings }) => (
        // A new form (its draft from the saved settings) each time they change.
        <SettingsForm key={JSON.stringify(crmSettings)} settings={crmSettings} onSaved={query.refetch} />
      )}
    </QueryView>
  );
};

export default SettingsPage;
