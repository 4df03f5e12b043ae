"""Outbound HTTP requests to addresses users give (webhooks, build triggers), bounded.

:func:`post` resolves the host once, refuses an address outside what the operator allows
(private, loopback, link-local, multicast and reserved addresses are refused unless a
network of ``CMS_WEBHOOK_ALLOWED_NETWORKS`` holds them), then connects to *that* address
(the Host header and TLS's SNI and certificate check keep the name): a name that resolves
to another address on a second lookup (DNS rebinding) can't slip past the check.

Bounds, so a bad receiver costs a bounded amount of worker time and memory: a connect
timeout, a total deadline over the whole exchange, a response body read up to a cap (the
rest is never read), and redirects never followed (a 3xx is the answer).
"""

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

CHUNK = 16 * 1024


class OutboundError(Exception):
    """No answer: ``code`` says why (``FORBIDDEN_ADDRESS``, ``TIMEOUT``, ``CONNECTION``,
    ``INVALID_URL``)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes  # at most ``max_body`` bytes
    truncated: bool

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@lru_cache(maxsize=8)
def _networks(setting: str) -> tuple:
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False)
        for part in setting.split(",")
        if part.strip()
    )


def allowed_networks() -> tuple:
    return _networks(settings.CMS_WEBHOOK_ALLOWED_NETWORKS or "")


def address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if getattr(ip, "ipv4_mapped", None) is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in allowed_networks() if network.version == ip.version):
        return True
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


def check_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of an http(s) URL, or OutboundError."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise OutboundError("INVALID_URL", str(error)) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundError("INVALID_URL", "An http:// or https:// URL with a host is needed.")
    if parts.username or parts.password:
        raise OutboundError("INVALID_URL", "Credentials in the URL are not allowed.")
    port = port or (443 if parts.scheme == "https" else 80)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port, path


def _resolve(host: str, port: int, deadline: float) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise OutboundError("CONNECTION", f"Can't resolve {host!r}: {error}") from None
    if time.monotonic() > deadline:
        raise OutboundError("TIMEOUT", "Resolving the host took too long.")
    for info in infos:
        address = info[4][0]
        if address_allowed(address):
            return address
    raise OutboundError(
        "FORBIDDEN_ADDRESS",
        f"{host!r} resolves to {infos[0][4][0]}, which is not allowed "
        "(see CMS_WEBHOOK_ALLOWED_NETWORKS).",
    )


class _Pinned:
    """Connects to the checked address, whatever the name resolves to now."""

    def __init__(self, address: str, connect_timeout: float, **kwargs):
        super().__init__(**kwargs)
        self._address = address
        self._connect_timeout = connect_timeout

    def _open(self):
        return socket.create_connection((self._address, self.port), self._connect_timeout)


class _HTTP(_Pinned, http.client.HTTPConnection):
    def connect(self):
        self.sock = self._open()


class _HTTPS(_Pinned, http.client.HTTPSConnection):
    def connect(self):
        self.sock = self._context.wrap_socket(self._open(), server_hostname=self.host)


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    connect_timeout: float | None = None,
    total_timeout: float | None = None,
    max_body: int | None = None,
) -> Answer:
    """POST ``body`` to ``url``; the answer (any status), or OutboundError."""
    connect_timeout = connect_timeout or settings.CMS_OUTBOUND_CONNECT_TIMEOUT
    total_timeout = total_timeout or settings.CMS_OUTBOUND_TOTAL_TIMEOUT
    max_body = max_body if max_body is not None else settings.CMS_OUTBOUND_MAX_BODY
    deadline = time.monotonic() + total_timeout
    scheme, host, port, path = check_url(url)
    address = _resolve(host, port, deadline)
    kind = _HTTPS if scheme == "https" else _HTTP
    extra = {"context": ssl.create_default_context()} if scheme == "https" else {}
    connection = kind(
        address, connect_timeout, host=host, port=port, timeout=total_timeout, **extra
    )
    try:
        connection.connect()
        sock = connection.sock  # http.client drops its reference once the answer ends
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        answer_headers = {k.lower(): v for k, v in response.getheaders()}
        chunks, size = [], 0
        while size <= max_body:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            if sock.fileno() != -1:
                sock.settimeout(remaining)
            chunk = response.read1(CHUNK) if hasattr(response, "read1") else response.read(CHUNK)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        data = b"".join(chunks)
        return Answer(response.status, answer_headers, data[:max_body], size > max_body)
    except TimeoutError:
        raise OutboundError("TIMEOUT", f"No complete answer within {total_timeout:g} s.") from None
    except (OSError, http.client.HTTPException) as error:
        raise OutboundError("CONNECTION", f"{type(error).__name__}: {error}") from None
    finally:
        connection.close()
