"""The HTTP endpoint: POST a GraphQL request as JSON; GraphiQL in the browser when DEBUG.

Every answer is JSON with coded errors (``extensions: {code, field}``), never
a traceback or a debug page: an unexpected fault (``RecursionError``
included) is ``internal_error`` with HTTP 500. Checks run cheapest first,
before anything is executed: the body (``json_input.loads``: bounded nesting,
size and digits), the document's size, tokens and nesting (``limits.scan``),
the text in variables, the caller's token, then ``parse``, the input values
against their types (``inputs.check_inputs``) and the request's depth and
cost against the caller's budget (``limits.measure``/``limits.check``). A
staff query then runs within its database deadline (``deadline``).

This is the one place where a ``saleor_crm_plugin.errors.CRMError`` becomes
a GraphQL error. A request whose storefront mutation was rate limited is
answered with HTTP 429 and ``Retry-After`` (its body as usual). Expected
refusals are logged once per request, in one line without a traceback;
unexpected faults once, with the first traceback.
"""

import contextvars
import json
import logging
from collections import Counter
from contextlib import nullcontext

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from graphql import parse
from graphql.utils.get_operation_ast import get_operation_ast
from graphql.error import GraphQLError, GraphQLLocatedError, GraphQLSyntaxError, format_error

from .. import json_input
from ..errors import CRMError
from ..text import is_storable_text
from .auth import caller_from_request
from .dataloaders import Loaders
from .deadline import staff_query_deadline, stopped_by_deadline, too_slow
from .errors import APIError, CRMErrorCode
from .inputs import check_inputs
from .limits import QueryTooComplex, check, measure, scan
from .schema import schema
from .storefront_limits import retry_after

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_048_576  # 100 representations or a 5,000-character note fit many times over
UNAUTHORIZED = {CRMErrorCode.INVALID_TOKEN.value, CRMErrorCode.TOKEN_EXPIRED.value}
# A valid token the CRM does not accept as a whole (an app's token for another app) is refused before execution.
FORBIDDEN = {CRMErrorCode.PERMISSION_DENIED.value}
INTERNAL_ERROR = CRMErrorCode.INTERNAL_ERROR.value

_executing = contextvars.ContextVar("crm_graphql_executing", default=False)


class _ReportedByTheView(logging.Filter):
    """graphql-core logs every resolver exception with its traceback; during our requests the view reports them."""

    def filter(self, record):
        return not _executing.get()


for _name in ("graphql.execution.executor", "graphql.execution.utils"):
    logging.getLogger(_name).addFilter(_ReportedByTheView())

GRAPHIQL = """<!doctype html><html><head><title>CRM GraphQL</title>
<link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css"></head>
<body style="margin:0"><div id="graphiql" style="height:100vh"></div>
<script crossorigin src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
<script crossorigin src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
<script crossorigin src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
<script>ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL,
{fetcher: GraphiQL.createFetcher({url: window.location.href})}));</script></body></html>"""


def _failure(code: str, message: str, status: int, field: str | None = None, **extra) -> JsonResponse:
    response = JsonResponse({"data": None, "errors": [{"message": message,
                                                       "extensions": {"code": code, "field": field, **extra}}]},
                            status=status)
    # The view logs its own refusals (one line); without this Django's request logger adds a second one.
    response._has_been_logged = True
    return response


@csrf_exempt
def graphql_view(request):
    """Answer one GraphQL request; whatever happens, the answer is JSON."""
    try:
        return _serve(request)
    except Exception:  # noqa: BLE001 - the last resort: a fault is answered with a code, never a debug page
        logger.exception("CRM GraphQL request failed")
        return _failure(INTERNAL_ERROR, "Internal error.", 500)


def _serve(request):
    if request.method == "GET" and settings.DEBUG and "text/html" in request.META.get("HTTP_ACCEPT", ""):
        return HttpResponse(GRAPHIQL)
    if request.method != "POST":
        return _failure(CRMErrorCode.INVALID.value, "POST a JSON body {query, variables, operationName}.", 405)
    try:
        query, variables, operation_name = _read(request)
        scan(query)
        check_variables(variables)
        request.crm_caller = caller_from_request(request)
        document = parse(query)
        check_inputs(document, schema, variables, operation_name)
        check(measure(document, schema, variables, operation_name, staff=request.crm_caller.can_manage_users),
              request.crm_caller)
    except CRMError as error:
        _log_refused(Counter([error.code_value]))
        return _failure(error.code_value, error.message, _status(error.code_value), error.field, **_measured(error))
    except GraphQLSyntaxError as error:
        return _failure(CRMErrorCode.INVALID.value, str(error), 400)
    request.crm_loaders = Loaders()
    operation = get_operation_ast(document, operation_name)
    bounded = request.crm_caller.can_manage_users and operation is not None and operation.operation == "query"
    marker = _executing.set(True)
    try:
        with staff_query_deadline() if bounded else nullcontext():
            result = schema.execute(document, variable_values=variables, context_value=request,
                                    operation_name=operation_name)
    finally:
        _executing.reset(marker)
    payload = {"data": result.data}
    if result.errors:
        payload["errors"] = _report(result.errors)
    response = JsonResponse(payload)
    wait = retry_after(request)
    if wait:  # a storefront mutation was rate limited: say so to the client and any proxy in between
        response.status_code = 429
        response["Retry-After"] = str(wait)
    return response


def _status(code: str) -> int:
    """The HTTP status of a request refused before execution."""
    if code in UNAUTHORIZED:
        return 401
    return 403 if code in FORBIDDEN else 400


def _read(request) -> tuple[str, dict, str | None]:
    """(query, variables, operationName) of the JSON body; ``INVALID`` or ``QUERY_TOO_COMPLEX`` otherwise."""
    try:
        raw = request.body
    except RequestDataTooBig:
        raw = None
    if raw is None or len(raw) > MAX_BODY_BYTES:
        raise QueryTooComplex(f"A request body may hold {MAX_BODY_BYTES:,} bytes.", max_cost=MAX_BODY_BYTES)
    try:
        body = json_input.loads(raw or b"{}")
        query, variables = body["query"], body.get("variables") or {}
        operation_name = body.get("operationName")
    except json_input.JSONInputError as error:
        if error.reason == "invalid":
            query = None
        else:  # too deep, too many containers, an integer of dozens of digits: only variables can be
            code = CRMErrorCode.OUT_OF_RANGE if error.reason == "number_too_long" else CRMErrorCode.INVALID_VALUE
            raise APIError(code.value, error.message, "variables") from None
    except (KeyError, TypeError, AttributeError):
        query = None
    if not isinstance(query, str) or not isinstance(variables, dict) or \
            not isinstance(operation_name, (str, type(None))):
        raise APIError(CRMErrorCode.INVALID.value, "The body must be JSON with a query string.")
    return query, variables, operation_name


def check_variables(variables: dict) -> None:
    """Refuse text PostgreSQL cannot store (NUL, lone surrogate) anywhere in ``variables``; field = the variable."""
    for name, value in variables.items():
        if not (is_storable_text(name) and _storable(value)):
            raise APIError(CRMErrorCode.INVALID_VALUE.value,
                           "Text may not hold NUL characters or lone surrogates.", name)


def _storable(value) -> bool:
    # One C-speed pass over the whole value (JSON escapes NUL as \u0000 and keeps lone surrogates,
    # which UTF-8 refuses); the exact walk runs only when that pass is in doubt.
    text = json.dumps(value, ensure_ascii=False)
    if "\\u0000" not in text and is_storable_text(text):
        return True
    pending = [value]  # a stack, not recursion
    while pending:
        item = pending.pop()
        if isinstance(item, str) and not is_storable_text(item):
            return False
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


def _measured(error: CRMError) -> dict:
    if isinstance(error, QueryTooComplex):
        return {"cost": error.cost, "maxCost": error.max_cost}
    return {}


def _report(errors) -> list[dict]:
    """The errors as JSON, logging the request's refusals in one line and its faults once."""
    formatted, refused, faults = [], Counter(), []
    for error in errors:
        if not isinstance(error, GraphQLError):
            # Raised outside any resolver, while validating or coercing: a scalar (UUID, DateTime,
            # JSONString…) refusing a literal or a variable raises ValueError/TypeError — a bad input.
            if isinstance(error, (ValueError, TypeError)) and not isinstance(error, CRMError):
                error = GraphQLError(f"A value does not fit its type: {error}")
            else:
                error = GraphQLLocatedError([], original_error=error)
        original = getattr(error, "original_error", None)
        if stopped_by_deadline(original):
            original = too_slow()
        entry = format_error(error)
        if isinstance(original, CRMError):
            entry["message"] = original.message
            entry["extensions"] = {"code": original.code_value, "field": original.field, **_measured(original)}
            refused[original.code_value] += 1
        elif original is not None and not isinstance(original, GraphQLSyntaxError):
            faults.append(original)
            entry["message"] = "Internal error."
            entry["extensions"] = {"code": INTERNAL_ERROR, "field": None}
        else:  # validation: an unknown field, an argument of the wrong type…
            entry["extensions"] = {"code": CRMErrorCode.INVALID.value, "field": None}
            refused[CRMErrorCode.INVALID.value] += 1
        formatted.append(entry)
    if faults:
        logger.error("CRM GraphQL resolvers failed %d time(s)", len(faults), exc_info=faults[0])
    elif refused:
        _log_refused(refused)
    return formatted


def _log_refused(codes: Counter) -> None:
    logger.info("CRM GraphQL request refused: %s", ", ".join(f"{code} ×{n}" for code, n in codes.most_common()))
