"""A database that cannot be reached (a restart, an outage) is a 503 everywhere, not a 500.

The API says so in GraphQL terms (archive/graphql/views.py); this middleware
does it for everything else, the admin first: a short page that tells the
archivist nothing was saved and to send the form again in a few seconds
(the browser's Back button still holds what they typed). It renders no
template that could itself need the database.
"""

import logging

from django.http import HttpResponse

from archive.database_errors import database_unavailable

logger = logging.getLogger("project.unavailable")


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Archive briefly unavailable</title></head>
<body><h1>The archive is briefly unavailable</h1>
<p>Its database cannot be reached just now. Nothing was saved by this request.</p>
<p>Go back (what you typed is still in the form) and send it again in a few seconds.</p>
</body></html>
"""


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_unavailable(exception):
            return None
        logger.warning(
            "%s %s while the database is unavailable: %s", request.method, request.path, exception
        )
        response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
        response["Retry-After"] = "5"
        return response
