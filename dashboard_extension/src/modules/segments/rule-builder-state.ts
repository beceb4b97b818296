/** The rule builder's editable state and its translation into the JSON rule language. */
import { fieldByName, OPERATORS, SPAN_UNITS } from "./rule-fields";

export type Condition = {
  id: number;
  field: string;
  op: string;
  /** Text as typed: a number, a date (YYYY-MM-DD), or a comma-separated list. */
  value: string;
  /** The upper bound of "between". */
  value2: string;
  /** Chosen items for RFM groups and consent states. */
  choices: string[];
  unit: (typeof SPAN_UNITS)[number];
  currency: string;
  channel: string;
  /** Edited since it was added: only then are its problems shown. */
  touched: boolean;
};

export type BuilderState = { match: "and" | "or"; conditions: Condition[]; nextId: number };

export type JsonRule = Record<string, unknown>;
export type BuildResult = { rule: JsonRule; errors: [] } | { rule: null; errors: { id: number; message: string }[] };

export const newCondition = (id: number, field = "order_count"): Condition => ({
  id,
  field,
  op: OPERATORS[fieldByName(field).kind][0],
  value: "",
  value2: "",
  choices: [],
  unit: "days",
  currency: "",
  channel: "",
  touched: false,
});

export const initialBuilderState = (): BuilderState => ({ match: "and", conditions: [newCondition(1)], nextId: 2 });

export type BuilderAction =
  | { type: "match"; match: "and" | "or" }
  | { type: "add"; field?: string; patch?: Partial<Condition> }
  | { type: "remove"; id: number }
  | { type: "update"; id: number; patch: Partial<Condition> }
  | { type: "reset" };

export const builderReducer = (state: BuilderState, action: BuilderAction): BuilderState => {
  switch (action.type) {
    case "match":
      return { ...state, match: action.match };
    case "add":
      return {
        ...state,
        nextId: state.nextId + 1,
        conditions: [...state.conditions, { ...newCondition(state.nextId, action.field), ...action.patch }],
      };
    case "remove":
      return { ...state, conditions: state.conditions.filter((condition) => condition.id !== action.id) };
    case "update":
      return {
        ...state,
        conditions: state.conditions.map((condition) => {
          if (condition.id !== action.id) return condition;
          // A new field brings its own operators and values.
          if (action.patch.field && action.patch.field !== condition.field) {
            return { ...newCondition(condition.id, action.patch.field), ...action.patch, touched: true };
          }
          return { ...condition, ...action.patch, touched: true };
        }),
      };
    case "reset":
      return initialBuilderState();
  }
};

class ConditionError extends Error {}

const fail = (message: string): never => {
  throw new ConditionError(message);
};

const parseNumber = (text: string, integer: boolean): number => {
  const trimmed = text.trim();
  if (trimmed === "") return fail("Enter a number.");
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return fail(`"${text}" is not a number.`);
  if (integer && !Number.isInteger(value)) return fail("Enter a whole number.");
  return value;
};

/** A percentage as typed (0–100) as the 0–1 share the rule language compares. */
const parsePercent = (text: string): number => {
  const value = parseNumber(text, false);
  if (value < 0 || value > 100) fail("Enter a percentage from 0 to 100.");
  return Number((value / 100).toFixed(6)); // 33.3 → 0.333, not 0.33299999999999996
};

const parseDate = (text: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text.trim())) return fail("Enter a date (YYYY-MM-DD).");
  return `${text.trim()}T00:00:00+00:00`;
};

const parseList = (text: string): string[] => {
  const items = text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  return items.length ? items : fail("Enter at least one item (separate several with commas).");
};

const conditionToRule = (condition: Condition): JsonRule => {
  const field = fieldByName(condition.field);
  const { op } = condition;
  if (!OPERATORS[field.kind].includes(op)) fail(`"${op}" does not apply to ${field.label}.`);
  const rule: JsonRule = { field: field.name, op };
  if (field.money && condition.currency.trim()) {
    const currency = condition.currency.trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(currency)) fail("A currency is a 3-letter code such as USD.");
    rule.currency = currency;
  }
  if (op === "is_empty" || op === "is_not_empty") {
    if (field.kind === "consent" && condition.channel.trim()) rule.channel = condition.channel.trim();
    return rule;
  }
  switch (field.kind) {
    case "integer":
    case "number": {
      const integer = field.kind === "integer";
      const read = field.percent ? parsePercent : (text: string) => parseNumber(text, integer);
      rule.value = op === "between" ? [read(condition.value), read(condition.value2)] : read(condition.value);
      break;
    }
    case "date":
      if (op === "within_last" || op === "not_within_last") {
        const amount = parseNumber(condition.value, false);
        if (amount < 0) fail("Enter a positive amount.");
        rule.value = { [condition.unit]: amount };
      } else if (op === "between") {
        rule.value = [parseDate(condition.value), parseDate(condition.value2)];
      } else {
        rule.value = parseDate(condition.value);
      }
      break;
    case "group":
    case "consent": {
      if (condition.choices.length === 0) fail("Choose at least one.");
      const single = op === "eq" || op === "ne";
      if (single && condition.choices.length > 1) fail(`"${op}" takes one choice; use "is one of" for several.`);
      rule.value = single ? condition.choices[0] : [...condition.choices];
      if (field.kind === "consent" && condition.channel.trim()) rule.channel = condition.channel.trim();
      break;
    }
    case "boolean":
      if (condition.value !== "true" && condition.value !== "false") fail("Choose yes or no.");
      rule.value = condition.value === "true";
      break;
    case "set": {
      const items = parseList(condition.value);
      rule.value = field.integerItems ? items.map((item) => parseNumber(item, true)) : items;
      break;
    }
    case "country": {
      const codes = parseList(condition.value).map((code) => code.toUpperCase());
      if (codes.some((code) => !/^[A-Z]{2}$/.test(code))) fail("Countries are 2-letter ISO codes such as DE.");
      const single = op === "eq" || op === "ne";
      if (single && codes.length > 1) fail(`"${op}" takes one country; use "is one of" for several.`);
      rule.value = single ? codes[0] : codes;
      break;
    }
  }
  return rule;
};

/** The JSON rule for the builder's state, or the problems per condition. */
export const buildRule = (state: BuilderState): BuildResult => {
  const errors: { id: number; message: string }[] = [];
  const rules: JsonRule[] = [];
  for (const condition of state.conditions) {
    try {
      rules.push(conditionToRule(condition));
    } catch (error) {
      if (!(error instanceof ConditionError)) throw error;
      errors.push({ id: condition.id, message: error.message });
    }
  }
  if (state.conditions.length === 0) return { rule: null, errors: [{ id: 0, message: "Add a condition." }] };
  if (errors.length) return { rule: null, errors };
  return { rule: rules.length === 1 ? rules[0] : { [state.match]: rules }, errors: [] };
};

/** Turns a server error path such as "and.1.value" into the condition it names. */
export const conditionIdForPath = (state: BuilderState, path: string | null | undefined): number | undefined => {
  if (!path) return undefined;
  const match = /^(?:and|or)\.(\d+)/.exec(path);
  if (match) return state.conditions[Number(match[1])]?.id;
  return state.conditions.length === 1 ? state.conditions[0].id : undefined;
};
