import { Box, Button, Checkbox, Select, Text, Toggle } from "@saleor/macaw-ui";
import { type FormEvent, useState } from "react";

import type { AutomationUpdateMutation, AutomationUpdateMutationVariables } from "../../generated/graphql";
import { assertPayload, CrmApiError, describeError } from "../api/crm-client";
import { useCrmMutation } from "../api/use-crm-query";
import { notifyDashboard } from "../bridge/bridge";
import { formatHour, humanize } from "../format/format";
import { TextInput } from "../ui/text-input";
import {
  type Automation, type AutomationDraft, DELAY_UNITS, type DelayUnit, draftFrom, EDITOR_FIELDS, errorsByField,
  optionField, type StepDraft, toAutomationInput,
} from "./automation-draft";
import UPDATE from "./automation-update.graphql?raw";

type Option = { value: string; label: string };

const FieldErrors = ({ messages, id }: { messages?: string[]; id: string }) =>
  messages?.length ? (
    <Box id={id} role="alert" display="flex" flexDirection="column">
      {messages.map((message) => (
        <Text key={message} size={2} color="critical1">{message}</Text>
      ))}
    </Box>
  ) : null;

const UNIT_OPTIONS: Option[] = DELAY_UNITS.map((unit) => ({ value: unit, label: humanize(unit) }));

const StepEditor = ({ step, templates, errors, onChange }: {
  step: StepDraft;
  templates: Option[];
  errors?: string[];
  onChange: (patch: Partial<StepDraft>) => void;
}) => {
  const options = [{ value: "", label: "No template" }, ...templates];
  const errorId = `step-${step.position}-errors`;
  return (
    <Box as="fieldset" display="flex" flexDirection="column" gap={2} padding={3} borderRadius={4} borderStyle="solid"
      borderWidth={1} borderColor="default1" margin={0} data-testid={`step-${step.position}-editor`}>
      <Box as="legend" paddingX={1}>
        <Text size={3} fontWeight="bold">Step {step.position}</Text>
      </Box>
      <Checkbox checked={step.enabled} onCheckedChange={(checked) => onChange({ enabled: checked === true })}>
        <Text size={2}>Send step {step.position}</Text>
      </Checkbox>
      <Box display="flex" gap={2} flexWrap="wrap" alignItems="flex-start">
        <Box __width="140px">
          <TextInput label={`Step ${step.position} delay`} type="number" min={0} step="any" value={step.amount}
            error={Boolean(errors?.length)} aria-describedby={errors?.length ? errorId : undefined}
            onChange={(event) => onChange({ amount: event.target.value })} />
        </Box>
        <Box __width="180px">
          <Select label={`Step ${step.position} delay unit`} options={UNIT_OPTIONS}
            value={UNIT_OPTIONS.find((option) => option.value === step.unit) ?? UNIT_OPTIONS[0]}
            onChange={(option) => onChange({ unit: option.value as DelayUnit })} />
        </Box>
        <Box __width="260px">
          <Select label={`Step ${step.position} template`} options={options}
            value={options.find((option) => option.value === (step.templateId ?? "")) ?? options[0]}
            onChange={(option) => onChange({ templateId: option.value || null })} />
        </Box>
      </Box>
      <FieldErrors id={errorId} messages={errors} />
    </Box>
  );
};

/** An automation's settings: on/off, channels, options, quiet hours and each step; saved in one go. */
export const AutomationEditor = ({ automation, templates, locale, onSaved }: {
  automation: Automation;
  templates: Option[];
  locale: string;
  onSaved: () => void;
}) => {
  const [draft, setDraft] = useState<AutomationDraft>(() => draftFrom(automation));
  const [errors, setErrors] = useState<Record<string, string[]>>({});
  const [failure, setFailure] = useState<unknown>(null);
  const update = useCrmMutation<AutomationUpdateMutation, AutomationUpdateMutationVariables>(UPDATE);
  const set = (patch: Partial<AutomationDraft>) => setDraft((current) => ({ ...current, ...patch }));
  const setStep = (position: number, patch: Partial<StepDraft>) =>
    setDraft((current) => ({
      ...current,
      steps: current.steps.map((step) => (step.position === position ? { ...step, ...patch } : step)),
    }));
  const hours: Option[] = [
    { value: "", label: "None" },
    ...Array.from({ length: 24 }, (_, hour) => ({ value: String(hour), label: formatHour(hour, locale) })),
  ];
  const hourValue = (hour: number | null) => hours.find((option) => option.value === (hour === null ? "" : String(hour))) ?? hours[0];

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const checked = toAutomationInput(draft, automation);
    if (!checked.input) {
      setErrors(checked.errors);
      return;
    }
    setErrors({});
    try {
      const data = await update.run({ kind: automation.kind, input: checked.input });
      assertPayload(data.crmAutomationUpdate);
      notifyDashboard("success", "Automation saved", `${automation.title}: ${draft.enabled ? "on" : "off"}`);
      onSaved();
    } catch (caught) {
      if (caught instanceof CrmApiError && caught.kind === "validation") {
        setErrors(errorsByField(caught.fieldErrors, EDITOR_FIELDS));
      } else {
        setFailure(caught);
      }
    }
  };

  const stepErrors = (position: number) => [...(errors[`step.${position}`] ?? []), ...(position === 1 ? errors.steps ?? [] : [])];

  return (
    <Box as="form" display="flex" flexDirection="column" gap={4} onSubmit={onSubmit} data-testid="automation-editor" noValidate>
      <Box display="flex" gap={3} alignItems="center" flexWrap="wrap">
        <Toggle pressed={draft.enabled} onPressedChange={(pressed) => set({ enabled: pressed })} aria-label="Active">
          <Text size={3}>Active</Text>
        </Toggle>
        <Text size={2} color="default2" role="status">
          {draft.enabled === automation.enabled ? "" : draft.enabled ? "Switches on when saved." : "Switches off when saved."}
        </Text>
      </Box>
      <FieldErrors id="enabled-errors" messages={errors.enabled} />
      <Box display="flex" flexDirection="column" gap={1} __maxWidth="480px">
        <TextInput label="Channels (slugs, comma-separated; empty: every channel)" value={draft.channels}
          error={Boolean(errors.channels)} onChange={(event) => set({ channels: event.target.value })} />
        <FieldErrors id="channels-errors" messages={errors.channels} />
      </Box>
      {automation.options.length > 0 && (
        <Box display="flex" flexDirection="column" gap={2}>
          <Text size={3} fontWeight="bold">Options</Text>
          <Box display="flex" gap={3} flexWrap="wrap" alignItems="flex-start">
            {automation.options.map((option) => {
              const field = optionField(option);
              const value = draft.options[option.name] ?? option.value;
              const messages = errors[`option.${option.name}`];
              const setValue = (next: string) => set({ options: { ...draft.options, [option.name]: next } });
              const choices = field.choices.map((choice) => ({ value: choice, label: choice.toUpperCase() }));
              return (
                <Box key={option.name} display="flex" flexDirection="column" gap={1} __width="260px">
                  {field.kind === "choice" ? (
                    <Select label={humanize(option.name)} options={choices}
                      value={choices.find((choice) => choice.value === value) ?? null}
                      onChange={(choice) => setValue(choice.value)} />
                  ) : (
                    <TextInput label={humanize(option.name)} type={field.kind === "number" ? "number" : "text"} step="any"
                      value={value} error={Boolean(messages)} onChange={(event) => setValue(event.target.value)} />
                  )}
                  <Text size={2} color="default2">{option.help}</Text>
                  <FieldErrors id={`option-${option.name}-errors`} messages={messages} />
                </Box>
              );
            })}
          </Box>
          <FieldErrors id="options-errors" messages={errors.options} />
        </Box>
      )}
      <Box display="flex" flexDirection="column" gap={2}>
        <Text size={3} fontWeight="bold">Quiet hours (shop time zone)</Text>
        <Box display="flex" gap={3} flexWrap="wrap">
          <Box __width="180px">
            <Select label="Quiet from" options={hours} value={hourValue(draft.quietStart)}
              onChange={(option) => set({ quietStart: option.value === "" ? null : Number(option.value) })} />
          </Box>
          <Box __width="180px">
            <Select label="Quiet until" options={hours} value={hourValue(draft.quietEnd)}
              onChange={(option) => set({ quietEnd: option.value === "" ? null : Number(option.value) })} />
          </Box>
        </Box>
        <FieldErrors id="quiet-errors" messages={[...(errors.quietStart ?? []), ...(errors.quietEnd ?? [])]} />
      </Box>
      {draft.steps.map((step) => (
        <StepEditor key={step.position} step={step} templates={templates} errors={stepErrors(step.position)}
          onChange={(patch) => setStep(step.position, patch)} />
      ))}
      <FieldErrors id="form-errors" messages={errors.form} />
      {failure ? <Text size={2} color="critical1" role="alert">{describeError(failure)}</Text> : null}
      <Box>
        <Button type="submit" disabled={update.pending}>{update.pending ? "Saving…" : "Save automation"}</Button>
      </Box>
    </Box>
  );
};
