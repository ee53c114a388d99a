"""The address of the person behind the reverse proxy, for the login lock (django-axes)."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The address the proxy saw when the request comes from a trusted proxy, else the peer's own.

    nginx appends the address it saw to X-Forwarded-For, after whatever the client sent: only that
    last entry is the proxy's word. From anyone else the header is the client's own claim and ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    if _trusted(remote):
        forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        if forwarded[-1]:
            try:
                return str(ipaddress.ip_address(forwarded[-1]))
            except ValueError:
                pass  # not an address: the proxy is misconfigured, count the proxy itself
    return remote


def _trusted(remote: str) -> bool:
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:
        return False
    return any(address in network for network in settings.FORWARDED_ALLOW_IPS)
