"""django-cors-headers, with one answer for every origin when the API is open to all.

django-cors-headers adds ``Access-Control-Allow-Origin`` only to requests that
carry an ``Origin``, and so adds ``Vary: Origin`` to every answer of a CORS
path (adamchainz/django-cors-headers#329): a shared cache must then keep one
copy per origin, and a CDN in front of a public API read by many web apps
hits its cache once per app. Open to all origins ("*", never with
credentials), nothing in the answer depends on the origin if "*" is sent on
every answer, with an ``Origin`` or without, which is what this does: the
same bytes for everyone, and no ``Vary: Origin``. With a list of origins the
library's behaviour is kept as it is: the answer names the origin, and varies
by it.
"""

from __future__ import annotations

from corsheaders.conf import conf
from corsheaders.middleware import (
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS,
    CorsMiddleware,
)
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.cache import cc_delim_re

from archive.library_versions import require

require(
    "django-cors-headers",
    "4.9.0",
    "project/cors.py overrides CorsMiddleware.add_response_headers and calls is_enabled",
)


class CorsMiddlewareForPublicApi(CorsMiddleware):
    def add_response_headers(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        response = super().add_response_headers(request, response)
        if (
            not conf.CORS_ALLOW_ALL_ORIGINS
            or conf.CORS_ALLOW_CREDENTIALS
            or not self.is_enabled(request)
        ):
            return response
        response[ACCESS_CONTROL_ALLOW_ORIGIN] = "*"
        if conf.CORS_EXPOSE_HEADERS:
            response[ACCESS_CONTROL_EXPOSE_HEADERS] = ", ".join(conf.CORS_EXPOSE_HEADERS)
        vary = [v for v in cc_delim_re.split(response.get("Vary", "")) if v]
        kept = [v for v in vary if v.lower() != "origin"]
        if kept:
            response["Vary"] = ", ".join(kept)
        elif "Vary" in response:
            del response["Vary"]
        return response
