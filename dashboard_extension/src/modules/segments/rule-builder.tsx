import { Box, Button, Checkbox, Select, Text } from "@saleor/macaw-ui";
import type { Dispatch } from "react";
import { type MessageDescriptor, useIntl } from "react-intl";

import { ChannelPicker } from "../channels/channel-picker";
import { humanize } from "../format/format";
import type { BuilderAction, BuilderState, Condition } from "./rule-builder-state";
import {
  CONSENT_VALUES,
  fieldByName,
  OPERATOR_LABELS,
  OPERATORS,
  RFM_GROUPS,
  RULE_FIELDS,
  SPAN_UNITS,
} from "./rule-fields";
import { TextInput } from "../ui/text-input";

const FIELD_OPTIONS = RULE_FIELDS.map((field) => ({ value: field.name, label: field.label }));
const MATCH_OPTIONS = [
  { value: "and", label: "all conditions" },
  { value: "or", label: "any condition" },
];
const UNIT_OPTIONS = SPAN_UNITS.map((unit) => ({ value: unit, label: unit }));
const YES_NO = [
  { value: "true", label: "Yes" },
  { value: "false", label: "No" },
];

const channelMessages = {
  label: { id: "segments.rule.consentChannel", defaultMessage: "Channel" },
  any: { id: "segments.rule.anyChannel", defaultMessage: "Any channel" },
} satisfies Record<string, MessageDescriptor>;

type Props = { condition: Condition; index: number; error?: string; dispatch: Dispatch<BuilderAction> };

const ChoiceList = ({ condition, options, dispatch }: Omit<Props, "index" | "error"> & { options: string[] }) => (
  <Box as="fieldset" display="flex" flexWrap="wrap" gap={2} borderWidth={0} padding={0} margin={0}>
    <legend className="visually-hidden">Values</legend>
    {options.map((option) => (
      <Checkbox
        key={option}
        checked={condition.choices.includes(option)}
        onCheckedChange={(checked) =>
          dispatch({
            type: "update",
            id: condition.id,
            patch: {
              choices: checked
                ? [...condition.choices, option]
                : condition.choices.filter((choice) => choice !== option),
            },
          })
        }
      >
        <Text size={2}>{humanize(option)}</Text>
      </Checkbox>
    ))}
  </Box>
);

const ValueEditor = ({ condition, dispatch }: Omit<Props, "index" | "error">) => {
  const field = fieldByName(condition.field);
  const { op } = condition;
  const set = (patch: Partial<Condition>) => dispatch({ type: "update", id: condition.id, patch });
  if (op === "is_empty" || op === "is_not_empty") return null;
  switch (field.kind) {
    case "group":
      return <ChoiceList condition={condition} options={RFM_GROUPS} dispatch={dispatch} />;
    case "consent":
      return <ChoiceList condition={condition} options={CONSENT_VALUES} dispatch={dispatch} />;
    case "boolean":
      return (
        <Box __width="120px">
          <Select
            label="Value"
            size="small"
            options={YES_NO}
            value={YES_NO.find((option) => option.value === condition.value) ?? null}
            onChange={(option) => set({ value: option.value })}
          />
        </Box>
      );
    case "date":
      if (op === "within_last" || op === "not_within_last") {
        return (
          <Box display="flex" gap={2}>
            <TextInput
              label="Amount"
              size="small"
              type="number"
              min={0}
              value={condition.value}
              onChange={(event) => set({ value: event.target.value })}
              __width="100px"
            />
            <Box __width="120px">
              <Select
                label="Unit"
                size="small"
                options={UNIT_OPTIONS}
                value={UNIT_OPTIONS.find((option) => option.value === condition.unit) ?? UNIT_OPTIONS[0]}
                onChange={(option) => set({ unit: option.value as Condition["unit"] })}
              />
            </Box>
          </Box>
        );
      }
      return (
        <Box display="flex" gap={2}>
          <TextInput label={op === "between" ? "From" : "Date"} size="small" type="date" value={condition.value}
            onChange={(event) => set({ value: event.target.value })} />
          {op === "between" && (
            <TextInput label="Until" size="small" type="date" value={condition.value2}
              onChange={(event) => set({ value2: event.target.value })} />
          )}
        </Box>
      );
    case "integer":
    case "number":
      return (
        <Box display="flex" gap={2}>
          <TextInput label={`${op === "between" ? "From" : "Value"}${field.percent ? " (%)" : ""}`} size="small" type="number"
            value={condition.value} onChange={(event) => set({ value: event.target.value })} __width="120px"
            {...(field.percent ? { min: 0, max: 100, step: "any" } : {})} />
          {op === "between" && (
            <TextInput label={`To${field.percent ? " (%)" : ""}`} size="small" type="number" value={condition.value2}
              onChange={(event) => set({ value2: event.target.value })} __width="120px"
              {...(field.percent ? { min: 0, max: 100, step: "any" } : {})} />
          )}
        </Box>
      );
    case "set":
    case "country":
      return (
        <TextInput
          label={field.kind === "country" ? "Countries (comma-separated)" : "Items (comma-separated)"}
          size="small"
          value={condition.value}
          onChange={(event) => set({ value: event.target.value })}
          __width="260px"
        />
      );
  }
};

const ConditionRow = ({ condition, index, error, dispatch }: Props) => {
  const intl = useIntl();
  const field = fieldByName(condition.field);
  const operatorOptions = OPERATORS[field.kind].map((op) => ({ value: op, label: OPERATOR_LABELS[op] ?? op }));
  const set = (patch: Partial<Condition>) => dispatch({ type: "update", id: condition.id, patch });
  return (
    <Box
      as="li"
      display="flex"
      flexDirection="column"
      gap={2}
      padding={3}
      borderRadius={4}
      borderStyle="solid"
      borderWidth={1}
      borderColor={error ? "critical1" : "default1"}
      aria-label={`Condition ${index + 1}`}
      data-testid="rule-condition"
    >
      <Box display="flex" gap={2} flexWrap="wrap" alignItems="flex-start">
        <Box __width="260px">
          <Select
            label="Field"
            size="small"
            options={FIELD_OPTIONS}
            value={FIELD_OPTIONS.find((option) => option.value === condition.field) ?? FIELD_OPTIONS[0]}
            onChange={(option) => set({ field: option.value })}
          />
        </Box>
        <Box __width="180px">
          <Select
            label="Operator"
            size="small"
            options={operatorOptions}
            value={operatorOptions.find((option) => option.value === condition.op) ?? operatorOptions[0]}
            onChange={(option) => set({ op: option.value })}
          />
        </Box>
        <ValueEditor condition={condition} dispatch={dispatch} />
        {field.money && (
          <TextInput label="Currency (any if empty)" size="small" value={condition.currency} maxLength={3}
            onChange={(event) => set({ currency: event.target.value })} __width="170px" />
        )}
        {field.kind === "consent" && (
          <ChannelPicker label={intl.formatMessage(channelMessages.label)} anyLabel={intl.formatMessage(channelMessages.any)}
            value={condition.channel} onChange={(channel) => set({ channel })} width="220px" />
        )}
        <Button variant="tertiary" size="small" onClick={() => dispatch({ type: "remove", id: condition.id })}
          aria-label={`Remove condition ${index + 1}`}>
          Remove
        </Button>
      </Box>
      {error && (
        <Text size={2} color="critical1" role="alert">
          {error}
        </Text>
      )}
    </Box>
  );
};

/** Conditions combined by all/any, edited with macaw-ui controls. */
export const RuleBuilder = ({
  state,
  dispatch,
  errors,
}: {
  state: BuilderState;
  dispatch: Dispatch<BuilderAction>;
  errors: Map<number, string>;
}) => (
  <Box display="flex" flexDirection="column" gap={3} data-testid="rule-builder">
    <Box display="flex" gap={2} alignItems="center">
      <Text size={3}>Customers matching</Text>
      <Box __width="180px">
        <Select
          label="Match"
          size="small"
          options={MATCH_OPTIONS}
          value={MATCH_OPTIONS.find((option) => option.value === state.match) ?? MATCH_OPTIONS[0]}
          onChange={(option) => dispatch({ type: "match", match: option.value as "and" | "or" })}
        />
      </Box>
    </Box>
    <Box as="ol" display="flex" flexDirection="column" gap={2} padding={0} margin={0} style={{ listStyle: "none" }}>
      {state.conditions.map((condition, index) => (
        <ConditionRow key={condition.id} condition={condition} index={index} error={errors.get(condition.id)}
          dispatch={dispatch} />
      ))}
    </Box>
    <Box display="flex" gap={2} flexWrap="wrap">
      <Button variant="secondary" onClick={() => dispatch({ type: "add" })}>
        Add condition
      </Button>
      <Button variant="tertiary" onClick={() => dispatch({ type: "reset" })}>
        Start again
      </Button>
    </Box>
  </Box>
);
