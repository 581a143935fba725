"""Where the service may send requests of its own (callbacks): only to public internet
addresses, unless the operator allows private networks (``MATCHER_CALLBACK_PRIVATE_NETWORKS``,
for a receiver inside their own network).

A host name is resolved once, every address it resolves to must be public, and the request is
then sent to that address itself (the ``Host`` header and TLS name stay the host's), so a name
that resolves elsewhere on a second look (DNS rebinding) cannot turn a callback inward.
"""

from __future__ import annotations

import ipaddress
import socket

import httpx


class NotPublic(httpx.ConnectError):
    """A request to an address the service may not reach."""


def refusal(url: str, allow_private: bool) -> str | None:
    """Why ``url`` may not receive callbacks (None when it may): not https, or a host that does
    not resolve or resolves to a private, loopback, link-local or reserved address."""
    parsed = httpx.URL(url)
    if parsed.scheme != "https" and not allow_private:
        return "a callback URL must use https"
    try:
        resolve(
            parsed.host, parsed.port or (443 if parsed.scheme == "https" else 80), allow_private
        )
    except NotPublic as error:
        return str(error)
    return None


def resolve(host: str, port: int, allow_private: bool) -> str:
    """The address to send to for ``host``; ``NotPublic`` when it does not resolve, or (unless
    ``allow_private``) when any address it resolves to is not public."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise NotPublic(f"the callback host does not resolve ({type(error).__name__})") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).partition("%")[0]) for info in found]
    if not addresses:
        raise NotPublic("the callback host does not resolve")
    if not allow_private:
        for address in addresses:
            if not address.is_global or address.is_multicast:
                raise NotPublic("the callback host is not a public internet address")
    return str(addresses[0])


class PublicOnly(httpx.BaseTransport):
    """A transport that sends only to public addresses (see the module's docstring)."""

    def __init__(self, allow_private: bool = False) -> None:
        self._allow_private = allow_private
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        address = resolve(host, port, self._allow_private)
        request.url = request.url.copy_with(host=address)
        request.extensions = {**request.extensions, "sni_hostname": host}
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()
