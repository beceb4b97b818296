"""The HTTP endpoint: POST a GraphQL request as JSON; GraphiQL in the browser when DEBUG."""

import json
import logging

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from graphql import parse
from graphql.error import GraphQLSyntaxError, format_error

from .auth import caller_from_request
from .dataloaders import Loaders
from .errors import APIError, CRMErrorCode
from .limits import MAX_DEPTH, MAX_FIELDS, measure
from .schema import schema

logger = logging.getLogger(__name__)


class _ExpectedErrors(logging.Filter):
    """graphql-core logs every resolver exception with a traceback; ours are answers, not faults."""

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, APIError)


logging.getLogger("graphql.execution.executor").addFilter(_ExpectedErrors())
logging.getLogger("graphql.execution.utils").addFilter(_ExpectedErrors())

GRAPHIQL = """<!doctype html><html><head><title>CRM GraphQL</title>
<link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css"></head>
<body style="margin:0"><div id="graphiql" style="height:100vh"></div>
<script crossorigin src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
<script crossorigin src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
<script crossorigin src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
<script>ReactDOM.createRoot(document.getElementById('graphiql')).render(React.createElement(GraphiQL,
{fetcher: GraphiQL.createFetcher({url: window.location.href})}));</script></body></html>"""


def _failure(code: str, message: str, status: int, field: str | None = None) -> JsonResponse:
    return JsonResponse({"data": None, "errors": [{"message": message,
                                                   "extensions": {"code": code, "field": field}}]}, status=status)


@csrf_exempt
def graphql_view(request):
    if request.method == "GET" and settings.DEBUG and "text/html" in request.META.get("HTTP_ACCEPT", ""):
        return HttpResponse(GRAPHIQL)
    if request.method != "POST":
        return _failure(CRMErrorCode.INVALID.value, "POST a JSON body {query, variables, operationName}.", 405)
    try:
        body = json.loads(request.body or b"{}")
        query, variables = body["query"], body.get("variables") or {}
        operation_name = body.get("operationName")
        if not isinstance(query, str) or not isinstance(variables, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return _failure(CRMErrorCode.INVALID.value, "The body must be JSON with a query string.", 400)
    try:
        request.crm_caller = caller_from_request(request)
    except APIError as error:
        return _failure(error.code, error.message, 401)
    try:
        document = parse(query)
    except GraphQLSyntaxError as error:
        return _failure(CRMErrorCode.INVALID.value, str(error), 400)
    depth, fields = measure(document, operation_name)
    if depth > MAX_DEPTH or fields > MAX_FIELDS:
        return _failure(CRMErrorCode.QUERY_TOO_COMPLEX.value,
                        f"Queries may nest {MAX_DEPTH} levels and select {MAX_FIELDS} fields "
                        f"(this one: {depth} levels, {fields} fields).", 400)
    request.crm_loaders = Loaders()
    result = schema.execute(document, variable_values=variables, context_value=request, operation_name=operation_name)
    payload = {"data": result.data}
    if result.errors:
        payload["errors"] = [_format(error) for error in result.errors]
    return JsonResponse(payload)


def _format(error) -> dict:
    original = getattr(error, "original_error", None)
    if isinstance(original, APIError):
        formatted = format_error(error)
        formatted["message"] = original.message
        formatted["extensions"] = {"code": original.code, "field": original.field}
        return formatted
    if original is not None and not isinstance(original, GraphQLSyntaxError):
        logger.error("CRM GraphQL resolver failed", exc_info=original)
        formatted = format_error(error)
        formatted["message"] = "Internal error."
        formatted["extensions"] = {"code": "internal_error", "field": None}
        return formatted
    formatted = format_error(error)  # validation: unknown field, wrong argument type, …
    formatted["extensions"] = {"code": CRMErrorCode.INVALID.value, "field": None}
    return formatted
