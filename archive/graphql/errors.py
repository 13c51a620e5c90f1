"""Every GraphQL error the API answers carries ``extensions.code``.

Clients (Apollo Client, urql, scripts) branch on a code, not on a message
that may be reworded. The GraphQL codes are those Apollo Server made common;
the archive's own name the limit a query met. docs/api.md lists them all.

The archive's errors get their code where they are made (:func:`coded`, or
a ``CODE`` on their class, which a located copy of the error keeps as its
``original_error``); errors made by graphql-core and strawberry get theirs
here, by what they are (:func:`code_for`), once the response is known.
"""

from graphql import GraphQLError, GraphQLSyntaxError

from archive.library_versions import require

require(
    "graphql-core",
    "3.3.2",
    "archive/graphql/errors.py tells graphql-core's errors apart by their messages",
)
require(
    "strawberry-graphql",
    "0.341.2",
    "archive/graphql/errors.py tells strawberry's limiters' errors apart by their messages",
)

# The request could not be parsed as GraphQL.
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
# It is not valid against the schema (an unknown field, a wrong argument type…).
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
# A variable's value cannot be used, or a text holds what no record can hold.
BAD_USER_INPUT = "BAD_USER_INPUT"
# No operation to run: none in the document, an unknown operationName, several
# operations and no name, or a mutation sent by GET.
OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
# The archive's limits (docs/api.md#limits).
QUERY_TOO_DEEP = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES = "TOO_MANY_ALIASES"
QUERY_TOO_LARGE = "QUERY_TOO_LARGE"
ARGUMENT_OUT_OF_BOUNDS = "ARGUMENT_OUT_OF_BOUNDS"
QUERY_TOO_COSTLY = "QUERY_TOO_COSTLY"
TIME_LIMIT_EXCEEDED = "TIME_LIMIT_EXCEEDED"
# The database cannot be reached just now: try again (a 503).
DATABASE_UNAVAILABLE = "DATABASE_UNAVAILABLE"
# Anything else: an unexpected error, answered without its details.
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"

# strawberry's MaxTokensLimiter stops graphql-core's parser with a syntax error.
_TOO_MANY_TOKENS = "Syntax Error: Document contains more than"
# strawberry's QueryDepthLimiter, which the archive's MaxDepth rule runs.
_TOO_DEEP = "exceeds maximum operation depth of"
# graphql-core's variable coercion errors ("Variable '$limit' got invalid value …").
_VARIABLE = "Variable '$"


def coded(error: GraphQLError, code: str) -> GraphQLError:
    """``error``, with ``code`` in its extensions (in place: graphql-core's errors
    keep their extensions in a dict of their own)."""
    error.extensions = {**(error.extensions or {}), "code": code}
    return error


def code_for(error: GraphQLError, *, ran: bool) -> str:
    """The code of an error made by graphql-core or strawberry: ``ran`` says whether
    the operation was executed (else the error is a request error)."""
    for made in (error, error.original_error):
        if getattr(made, "CODE", None):
            return made.CODE
    if isinstance(error, GraphQLSyntaxError):
        return QUERY_TOO_LARGE if error.message.startswith(_TOO_MANY_TOKENS) else PARSE_FAILED
    if _TOO_DEEP in error.message:
        return QUERY_TOO_DEEP
    if error.message.startswith(_VARIABLE):
        return BAD_USER_INPUT
    if ran or error.path is not None:
        # Met while running: the archive's own errors are coded; the rest (a
        # masked exception, null on a non-null field) are the server's fault.
        return INTERNAL_SERVER_ERROR
    return VALIDATION_FAILED


def add_codes(errors: list[GraphQLError], *, ran: bool) -> None:
    for error in errors:
        if not (error.extensions or {}).get("code"):
            coded(error, code_for(error, ran=ran))
