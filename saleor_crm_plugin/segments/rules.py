"""The segment rule language, validated and compiled to SQL over ``crm_customer_profile p``.

A rule is a condition or a combination::

    {"and": [rule, ...]}   {"or": [rule, ...]}   {"not": rule}
    {"field": "order_count", "op": "gte", "value": 3}
    {"field": "revenue", "currency": "USD", "op": "gt", "value": 100}
    {"field": "last_order_at", "op": "within_last", "value": {"days": 30}}
    {"field": "rfm_group", "op": "in", "value": ["champions", "loyal"]}
    {"field": "category_bought", "op": "includes", "value": ["Vinyl"]}
    {"field": "csat_latest", "op": "lte", "value": 2}
    {"field": "nps_group", "op": "in", "value": ["detractor", "passive"]}

Every problem is reported with a code and the path of the offending part
(``and.1.value``): ``invalid_structure``, ``unknown_field``,
``invalid_operator``, ``invalid_value``, ``out_of_range`` (an integer beyond
64 bits), ``too_complex`` (more than ``MAX_DEPTH`` levels, ``MAX_CONDITIONS``
conditions, ``MAX_HISTORY_CONDITIONS`` conditions on order history,
``MAX_SET_VALUES`` values in a set or ``MAX_RULE_SET_VALUES`` in all). Values always go
into SQL as parameters. Money fields without ``currency`` match a customer
whose figure in any of their currencies qualifies.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from ..analytics.rfm import GROUPS
from ..errors import CRMError
from ..models.order import counted_sql
from ..normalized.fields import CHANNEL_RE
from ..support.satisfaction import DETRACTOR_UP_TO, PROMOTER_FROM
from ..text import is_storable_text

MAX_CONDITIONS = 50
MAX_DEPTH = 8
# Conditions that read each customer's order history (product_bought, category_bought, channel) cost one
# pass over the matching order lines each; the rest read one row per customer. Both bounds make the largest
# rule allowed preview in well under a second on a shop of 1M customers (bench/graphql_cost.py).
MAX_HISTORY_CONDITIONS = 5
MAX_SET_VALUES = 100  # values of one set condition (product ids, categories, channels)
MAX_RULE_SET_VALUES = 200  # values of all set conditions of a rule together
MAX_INTEGER = 2**63 - 1  # any integer in a rule: what PostgreSQL's bigint holds
COUNTED = counted_sql("o")
UNITS = {"days": 1.0, "weeks": 7.0, "months": 30.4375, "years": 365.25}
# A relative span reaches back at most this far: further than any shop's history,
# short of what datetime can subtract from "now" without overflowing.
MAX_SPAN_DAYS = 100 * 365.25
# Numbers compared with money, counts and scores: finite and within what a
# float represents exactly, so no value reaches SQL as NaN, Infinity or a
# thousand-digit numeric.
MAX_NUMBER = 2 ** 53
MAX_TEXT = 200  # characters of one string value (a category name, a channel slug)


class SegmentErrorCode(str, Enum):
    INVALID_STRUCTURE = "invalid_structure"
    UNKNOWN_FIELD = "unknown_field"
    INVALID_OPERATOR = "invalid_operator"
    INVALID_VALUE = "invalid_value"
    OUT_OF_RANGE = "out_of_range"
    TOO_COMPLEX = "too_complex"
    NOT_FOUND = "not_found"
    DUPLICATE = "duplicate"
    PREDEFINED = "predefined"


class SegmentRuleError(CRMError):
    """A rule that cannot be compiled; ``field`` is the path of the offending part (``and.1.value``)."""


@dataclass(frozen=True)
class Field:
    kind: str  # number, integer, date, group, boolean, set
    column: str | None = None  # on p
    analytics: str | None = None  # on crm_customer_analytics a
    spend: str | None = None  # on crm_customer_spend s
    money: bool = False
    description: str = ""


FIELDS = {
    "order_count": Field("integer", column="p.order_count", description="orders that count"),
    "cancelled_count": Field("integer", column="p.cancelled_count"),
    "revenue": Field("number", spend="s.revenue", money=True, description="revenue in a currency"),
    "average_order_value": Field("number", spend="s.average_order_value", money=True),
    "first_order_at": Field("date", column="p.first_order_at"),
    "last_order_at": Field("date", column="p.last_order_at"),
    "rfm_group": Field("group", analytics="a.rfm_group"),
    "clv": Field("number", analytics="a.clv_12m", money=True, description="12-month customer lifetime value"),
    "churn_risk": Field("number", analytics="a.churn_risk", description="P(no order within the churn horizon), 0 to 1"),
    "expected_orders_90": Field("number", analytics="a.expected_orders_90"),
    "response_probability": Field("number", column="(SELECT cp.probability FROM crm_customer_propensity cp "
                                  "WHERE cp.profile_id = p.id)",
                                  description="P(orders within the propensity horizon), 0 to 1, recomputed nightly "
                                  "(not scored yet: never matches)"),
    "marketing_consent": Field("consent", description="consent to marketing mail: subscribed, unsubscribed, pending "
                               "or never_asked, in 'channel' (any channel without it)"),
    "is_guest": Field("boolean", column="(p.user_id IS NULL)"),
    "category_bought": Field("set", description="bought in any of these categories"),
    "product_bought": Field("set", description="bought any of these Saleor product ids"),
    "channel": Field("set", description="ordered in any of these channels"),
    "country": Field("country", column="p.country", description="country of the newest order (ISO code)"),
    "csat_latest": Field("number", column="(SELECT r.score FROM crm_survey_response r WHERE r.profile_id = p.id "
                         "AND r.kind = 'csat' ORDER BY r.answered_at DESC, r.id DESC LIMIT 1)",
                         description="the latest CSAT score, 1 to 5 (no answer: never matches)"),
    "nps_group": Field("nps", description="group of the latest NPS score: promoter, passive or detractor"),
}
# The group of a customer's latest NPS answer (crm_survey_profile_idx finds it), NULL without one.
NPS_GROUP_SQL = (f"(SELECT CASE WHEN r.score >= {PROMOTER_FROM} THEN 'promoter' WHEN r.score > {DETRACTOR_UP_TO} "
                 "THEN 'passive' ELSE 'detractor' END FROM crm_survey_response r WHERE r.profile_id = p.id "
                 "AND r.kind = 'nps' ORDER BY r.answered_at DESC, r.id DESC LIMIT 1)")
NPS_GROUPS = ("promoter", "passive", "detractor")

OPERATORS = {
    "integer": {"eq", "ne", "gt", "gte", "lt", "lte", "between"},
    "number": {"eq", "ne", "gt", "gte", "lt", "lte", "between"},
    "date": {"before", "after", "between", "within_last", "not_within_last", "is_empty", "is_not_empty"},
    "group": {"eq", "ne", "in", "not_in"},
    "boolean": {"eq", "is_empty"},
    "consent": {"eq", "ne", "in", "not_in", "is_empty"},
    "set": {"includes", "excludes"},
    "country": {"eq", "ne", "in", "not_in", "is_empty"},
    "nps": {"eq", "ne", "in", "not_in", "is_empty"},
}
CONSENT_VALUES = ("subscribed", "unsubscribed", "pending", "never_asked")
COMPARE = {"eq": "=", "ne": "<>", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


class _Compiler:
    def __init__(self, now: datetime):
        self.now = now
        self.params: list = []
        self.channel: str | None = None  # the consent condition being compiled names this channel
        self.conditions = 0
        self.history_conditions = 0
        self.set_values = 0

    def rule(self, node, path: str, depth: int) -> str:
        if depth > MAX_DEPTH:
            raise SegmentRuleError(SegmentErrorCode.TOO_COMPLEX, f"rules nest at most {MAX_DEPTH} levels.", path)
        if not isinstance(node, dict) or not node:
            raise SegmentRuleError(SegmentErrorCode.INVALID_STRUCTURE, "a rule is a JSON object.", path)
        logic = [key for key in ("and", "or", "not") if key in node]
        if logic:
            if len(node) != 1:
                raise SegmentRuleError(SegmentErrorCode.INVALID_STRUCTURE, f"'{logic[0]}' must be the object's only key.",
                                       path)
            key = logic[0]
            inner = node[key]
            where = f"{path}.{key}" if path else key
            if key == "not":
                return f"NOT ({self.rule(inner, where, depth + 1)})"
            if not isinstance(inner, list) or not inner:
                raise SegmentRuleError(SegmentErrorCode.INVALID_STRUCTURE, f"'{key}' takes a non-empty list.", where)
            joined = f" {key.upper()} ".join(f"({self.rule(item, f'{where}.{i}', depth + 1)})"
                                             for i, item in enumerate(inner))
            return joined
        return self.condition(node, path)

    def condition(self, node: dict, path: str) -> str:
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            raise SegmentRuleError(SegmentErrorCode.TOO_COMPLEX, f"at most {MAX_CONDITIONS} conditions.", path)
        unknown = set(node) - {"field", "op", "value", "currency", "channel"}
        if "field" not in node or "op" not in node or unknown:
            raise SegmentRuleError(SegmentErrorCode.INVALID_STRUCTURE, "a condition has 'field', 'op' and usually 'value' (and 'currency' for money)"
                                   + (f"; unexpected {sorted(unknown)}" if unknown else "."),
                                   path)
        name = node["field"]
        field = FIELDS.get(name) if isinstance(name, str) else None
        if field is None:
            raise SegmentRuleError(SegmentErrorCode.UNKNOWN_FIELD, f"unknown field {name!r}; fields: {', '.join(sorted(FIELDS))}.",
                                   f"{path}.field" if path else "field")
        op = node["op"]
        if not isinstance(op, str) or op not in OPERATORS[field.kind]:
            raise SegmentRuleError(SegmentErrorCode.INVALID_OPERATOR, f"{name} ({field.kind}) takes {', '.join(sorted(OPERATORS[field.kind]))}.",
                                   f"{path}.op" if path else "op")
        currency = node.get("currency")
        if currency is not None and (not field.money or not isinstance(currency, str) or len(currency) != 3):
            raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE, "currency is a 3-letter code, for money fields only.",
                                   f"{path}.currency" if path else "currency")
        channel = node.get("channel")
        if channel is not None and (field.kind != "consent" or not isinstance(channel, str)
                                    or not CHANNEL_RE.fullmatch(channel)):
            raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE, "channel is a channel slug, for consent only.",
                                   f"{path}.channel" if path else "channel")
        self.channel = channel
        value_path = f"{path}.value" if path else "value"
        sql = getattr(self, f"_{field.kind}")(name, field, op, node.get("value"), value_path,
                                              currency.upper() if currency else None)
        if field.column is None:
            return sql  # an EXISTS, never NULL; left bare so the planner can make it a (hash) semi-join
        return f"COALESCE(({sql}), FALSE)"  # unknown (NULL) never matches, so "not" means what it says

    # -- one method per kind -------------------------------------------------
    def _param(self, value) -> str:
        self.params.append(value)
        return "%s"

    def _wrap(self, field: Field, currency) -> tuple[str, str, str]:
        """(prefix, suffix, column) around a predicate on the field; the currency parameter goes first."""
        if field.column:
            return "", "", field.column
        table, alias, column = ("crm_customer_spend", "s", field.spend) if field.spend else \
            ("crm_customer_analytics", "a", field.analytics)
        money = f" AND {alias}.currency = {self._param(currency)}" if currency else ""
        return f"EXISTS (SELECT 1 FROM {table} {alias} WHERE {alias}.profile_id = p.id{money} AND ", ")", column

    def _number(self, name, field, op, value, path, currency, integer=False):
        def number(v, where):
            ok = isinstance(v, int) if integer else isinstance(v, (int, float))
            # a chained comparison, not math.isfinite: that raises OverflowError for a huge int (and NaN fails it)
            if not ok or isinstance(v, bool) or not -MAX_NUMBER <= v <= MAX_NUMBER:
                raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE, f"{name} takes {'a whole number' if integer else 'a number'}.",
                                       where)
            return v

        if op == "between" and (not isinstance(value, list) or len(value) != 2):
            raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE, "between takes [low, high].", path)
        values = [number(value[0], f"{path}.0"), number(value[1], f"{path}.1")] if op == "between" \
            else [number(value, path)]
        prefix, suffix, column = self._wrap(field, currency)
        if op == "between":
            return f"{prefix}{column} BETWEEN {self._param(values[0])} AND {self._param(values[1])}{suffix}"
        return f"{prefix}{column} {COMPARE[op]} {self._param(values[0])}{suffix}"

    def _integer(self, name, field, op, value, path, currency):
        return self._number(name, field, op, value, path, currency, integer=True)

    def _date(self, name, field, op, value, path, currency):
        column = field.column
        if op in ("is_empty", "is_not_empty"):
            return f"{column} IS {'' if op == 'is_empty' else 'NOT '}NULL"
        if op in ("within_last", "not_within_last"):
            since = self.now - _span(value, path)
            predicate = f"{column} >= {self._param(since)}"
            return predicate if op == "within_last" else f"({column} IS NULL OR NOT ({predicate}))"
        if op == "between":
            if not isinstance(value, list) or len(value) != 2:
                raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE, "between takes [from, to].", path)
            start, end = _moment(value[0], f"{path}.0", self.now), _moment(value[1], f"{path}.1", self.now)
            return f"{column} >= {self._param(start)} AND {column} < {self._param(end)}"
        moment = _moment(value, path, self.now)
        return f"{column} {'<' if op == 'before' else '>='} {self._param(moment)}"

    def _group(self, name, field, op, value, path, currency):
        values = value if op in ("in", "not_in") else [value]
        if not isinstance(values, list) or not values or any(v not in GROUPS for v in values):
            raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE, f"RFM groups are {', '.join(GROUPS)}" + (" (a non-empty list)" if op in ("in", "not_in") else "."),
                                   path)
        inside = f"EXISTS (SELECT 1 FROM crm_customer_analytics a WHERE a.profile_id = p.id AND " \
                 f"a.rfm_group = ANY({self._param(list(values))}))"
        return inside if op in ("eq", "in") else f"NOT {inside}"

    def _country(self, name, field, op, value, path, currency):
        if op == "is_empty":
            return f"{field.column} = ''"
        values = value if op in ("in", "not_in") else [value]
        if not isinstance(values, list) or not values or any(
                not isinstance(v, str) or len(v) != 2 or not v.isalpha() for v in values):
            raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE, "countries are ISO codes such as \"DE\".", path)
        inside = f"{field.column} = ANY({self._param([v.upper() for v in values])})"
        return inside if op in ("eq", "in") else f"({field.column} <> '' AND NOT {inside})"

    def _nps(self, name, field, op, value, path, currency):
        if op == "is_empty":
            return f"{NPS_GROUP_SQL} IS NULL"
        values = value if op in ("in", "not_in") else [value]
        if not isinstance(values, list) or not values or any(v not in NPS_GROUPS for v in values):
            raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE, f"NPS groups are {', '.join(NPS_GROUPS)}"
                                   + (" (a non-empty list)." if op in ("in", "not_in") else "."), path)
        inside = f"COALESCE({NPS_GROUP_SQL} = ANY({self._param(list(values))}), FALSE)"
        # "not a detractor" means answered, in another group (as a country's ne means a known other country)
        return inside if op in ("eq", "in") else f"({NPS_GROUP_SQL} IS NOT NULL AND NOT {inside})"

    def _boolean(self, name, field, op, value, path, currency):
        if op == "is_empty":
            return f"{field.column} IS NULL"
        if not isinstance(value, bool):
            raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE, f"{name} takes true or false.", path)
        return f"{field.column} IS {'TRUE' if value else 'FALSE'}"

    def _consent(self, name, field, op, value, path, currency):
        # True/False: the old single flag's values, read as subscribed/unsubscribed.
        aliases = {True: "subscribed", False: "unsubscribed"}
        if op == "is_empty":
            wanted = ["never_asked"]
        else:
            values = value if op in ("in", "not_in") else [value]
            if not isinstance(values, list) or not values or any(
                    aliases.get(v, v) not in CONSENT_VALUES if isinstance(v, (str, bool)) else True for v in values):
                raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE,
                                       f"{name} takes {', '.join(CONSENT_VALUES)}"
                                       + (" (a list)." if op in ("in", "not_in") else "."), path)
            wanted = sorted({aliases.get(v, v) for v in values})
        if self.channel is not None:
            state = ("COALESCE((SELECT cc.state FROM crm_channel_consent cc WHERE cc.profile_id = p.id "
                     f"AND cc.channel = {self._param(self.channel)}), 'never_asked')")
            inside = f"{state} = ANY({self._param(wanted)})"
        else:  # any channel: a state held in some channel; never asked means in none
            states = [w for w in wanted if w != "never_asked"]
            parts = [f"EXISTS (SELECT 1 FROM crm_channel_consent cc WHERE cc.profile_id = p.id "
                     f"AND cc.state = ANY({self._param(states)}))"] if states else []
            if "never_asked" in wanted:
                parts.append("NOT EXISTS (SELECT 1 FROM crm_channel_consent cc WHERE cc.profile_id = p.id)")
            inside = f"({' OR '.join(parts)})"
        return inside if op in ("eq", "in", "is_empty") else f"NOT {inside}"

    def _set(self, name, field, op, value, path, currency):
        integer = name == "product_bought"
        if not isinstance(value, list) or not value or any(
                (not isinstance(v, int) or isinstance(v, bool)) if integer else not isinstance(v, str) for v in value):
            raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE, f"{name} takes a non-empty list of {'product ids' if integer else 'names'}.",
                                   path)
        condition = path[:-len(".value")] if path.endswith(".value") else ""  # the condition's own path
        self.history_conditions += 1
        if self.history_conditions > MAX_HISTORY_CONDITIONS:
            raise SegmentRuleError(SegmentErrorCode.TOO_COMPLEX,
                                   f"a rule has at most {MAX_HISTORY_CONDITIONS} conditions on order history "
                                   "(product_bought, category_bought, channel).", condition)
        if len(value) > MAX_SET_VALUES:
            raise SegmentRuleError(SegmentErrorCode.TOO_COMPLEX, f"{name} takes at most {MAX_SET_VALUES} values.",
                                   path)
        self.set_values += len(set(value))
        if self.set_values > MAX_RULE_SET_VALUES:
            raise SegmentRuleError(SegmentErrorCode.TOO_COMPLEX,
                                   f"the set conditions of a rule take at most {MAX_RULE_SET_VALUES} values together.",
                                   path)
        values = sorted(set(value))
        # The customers who bought, as one set: a (hashed) semi-join run once for the rule, never a lookup of
        # each customer's orders per customer (1M index scans), whatever AND/OR/NOT it sits in.
        if name == "channel":
            inside = f"p.id IN (SELECT o.profile_id FROM crm_order o WHERE o.profile_id IS NOT NULL AND {COUNTED} " \
                     f"AND o.channel = ANY({self._param(values)}))"
        else:
            column = "l.product_id" if integer else "l.category"
            inside = (f"p.id IN (SELECT o.profile_id FROM crm_order_line l JOIN crm_order o ON o.id = l.order_id "
                      f"WHERE o.profile_id IS NOT NULL AND {COUNTED} AND {column} = ANY({self._param(values)}))")
        return inside if op == "includes" else f"NOT {inside}"


def _span(value, path) -> timedelta:
    if not isinstance(value, dict) or len(value) != 1:
        raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE, 'a relative span is {"days": n} (or weeks, months, years).',
                               path)
    (unit, amount), = value.items()
    if unit not in UNITS or not isinstance(amount, (int, float)) or isinstance(amount, bool) \
            or not 0 <= amount <= MAX_SPAN_DAYS / UNITS[unit]:  # false for NaN; no float overflow
        raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE,
                               f"a relative span is a number of {', '.join(UNITS)} from 0 to 100 years.", path)
    return timedelta(days=amount * UNITS[unit])


def _moment(value, path, now: datetime) -> datetime:
    """An ISO date-time with a time zone, or a relative {"days_ago": n}."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)).endswith("_ago"):
        (unit, amount), = value.items()
        return now - _span({unit[: -len("_ago")]: amount}, path)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is not None and moment.tzinfo is not None:
            return moment
    raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE, 'a date is an ISO date-time with a time zone or {"days_ago": n}.',
                           path)


def _check_values(node, path: str, depth: int = 0) -> None:
    """Refuse what PostgreSQL cannot store or compare anywhere in the rule: strings with NUL or lone
    surrogates (or over ``MAX_TEXT``), integers beyond 64 bits, nesting deeper than any rule."""
    if depth > MAX_DEPTH + 3:  # values nest a little below the deepest rule; more is not a rule
        raise SegmentRuleError(SegmentErrorCode.TOO_COMPLEX, f"rules nest at most {MAX_DEPTH} levels.", path)
    if isinstance(node, str):
        if len(node) > MAX_TEXT or not is_storable_text(node):
            raise SegmentRuleError(SegmentErrorCode.INVALID_VALUE,
                                   f"text values are at most {MAX_TEXT} characters of valid Unicode without NUL.",
                                   path or "rules")
    elif isinstance(node, int) and not isinstance(node, bool):
        if not -MAX_INTEGER <= node <= MAX_INTEGER:
            raise SegmentRuleError(SegmentErrorCode.OUT_OF_RANGE, "integers in a rule fit in 64 bits.",
                                   path or "rules")
    elif isinstance(node, dict):
        for key, value in node.items():
            _check_values(key, path, depth + 1)
            _check_values(value, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            _check_values(value, f"{path}.{index}" if path else str(index), depth + 1)


def compile_rule(rule, now: datetime) -> tuple[str, list]:
    """(SQL boolean expression over ``p``, parameters); raises ``SegmentRuleError``."""
    _check_values(rule, "")
    compiler = _Compiler(now)
    sql = compiler.rule(rule, "", 0)
    return sql, compiler.params
