"""The address a request came from, as the login lock-out (django-axes) sees it.

Behind a proxy (``DJANGO_BEHIND_PROXY=1``) every request arrives from the
proxy, so the client is the last address the proxy appended to
``X-Forwarded-For``; earlier entries are whatever the client claimed and are
ignored. Without a proxy it is the connection's own address.
"""

from django.conf import settings


def client_ip(request) -> str:
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "")
