"""Outbound HTTP requests to addresses users give (webhooks, build triggers), bounded.

:func:`post` resolves the host once, refuses an address outside what the operator allows
(private, loopback, link-local, multicast and reserved addresses are refused unless a
network of ``CMS_WEBHOOK_ALLOWED_NETWORKS`` holds them), then connects to *that* address
(the Host header and TLS's SNI and certificate check keep the name): a name that resolves
to another address on a second lookup (DNS rebinding) can't slip past the check.

Bounds, so a bad receiver costs a bounded amount of worker time and memory: the name's
resolution and the connect each within the connect timeout, a total deadline over the
whole exchange (every socket operation gets only the time left, so a receiver dripping
headers or body a byte at a time is cut at the total), a response body read up to a cap
(the rest is never read), and redirects never followed (a 3xx is the answer).

With ``keep_alive`` (webhook delivery), a connection whose answer was read whole stays
open for the thread's next request to the same destination (HTTP/1.1 keep-alive): no
new TCP (and TLS) handshake per call, the same bounds per request, the allow-list checked
again on the connected address each time it is taken.
"""

import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

from cms import kept_connections

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


#: IPv6 space ``is_global`` doesn't refuse on every Python: unique-local (fc00::/7) and
#: the deprecated site-local (fec0::/10), both private networks.
PRIVATE_V6 = (ipaddress.ip_network("fc00::/7"), ipaddress.ip_network("fec0::/10"))
#: NAT64's well-known prefix: the last 32 bits are the IPv4 host really reached.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


def address_allowed(address: str) -> bool:
    """Whether a request may go to ``address``: listed in CMS_WEBHOOK_ALLOWED_NETWORKS, or
    public. An IPv6 address that carries an IPv4 one (IPv4-mapped, 6to4, NAT64) is judged
    by that IPv4 address too: ``2002:c0a8:101::`` is a way to 192.168.1.1."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # the very same IPv4 host
    if _listed(ip):
        return True
    inner = _wrapped_ipv4(ip)
    if inner is not None:
        return _listed(inner) or _public(inner)
    return _public(ip)


def _listed(ip) -> bool:
    return any(ip in network for network in allowed_networks() if network.version == ip.version)


def _public(ip) -> bool:
    if ip.version == 6 and any(ip in network for network in PRIVATE_V6):
        return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


def _wrapped_ipv4(ip):
    """The IPv4 address a 6to4 or NAT64 address leads to, else None."""
    if ip.version != 6:
        return None
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


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


def _resolve(host: str, port: int, timeout: float) -> str:
    """The first allowed address ``host`` resolves to, within ``timeout``."""
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:  # nothing to resolve
        if address_allowed(host):
            return host
        raise OutboundError(
            "FORBIDDEN_ADDRESS", f"{host} is not allowed (see CMS_WEBHOOK_ALLOWED_NETWORKS)."
        )
    infos = _within(timeout, lambda: socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
    if infos is None:
        raise OutboundError("TIMEOUT", f"Resolving {host!r} took over {timeout:g} s.")
    if isinstance(infos, BaseException):
        raise OutboundError("CONNECTION", f"Can't resolve {host!r}: {infos}") from None
    for info in infos:
        address = info[4][0]
        if address_allowed(address):
            return address
    raise OutboundError(
        "FORBIDDEN_ADDRESS",
        f"{host!r} resolves to {infos[0][4][0]}, which is not allowed "
        "(see CMS_WEBHOOK_ALLOWED_NETWORKS).",
    )


def _within(timeout: float, call):
    """``call()``'s result (or the exception it raised), or None after ``timeout``.
    getaddrinfo has no timeout of its own: it runs on a daemon thread, abandoned when
    late (it ends when the system resolver gives up)."""
    outcome = []

    def run():
        try:
            outcome.append(call())
        except (OSError, UnicodeError, ValueError) as error:
            outcome.append(error)

    thread = threading.Thread(target=run, name="outbound-resolve", daemon=True)
    thread.start()
    thread.join(timeout)
    return outcome[0] if outcome else None


class _Deadline:
    """A socket whose every read and write gets the time left before ``deadline``, not a
    fresh timeout each: a receiver dripping a byte a second can't stretch the exchange
    past the total (http.client reads headers and body through recv_into, writes
    through sendall; TLS's read, write and handshake go through the same methods)."""

    deadline = float("inf")

    def _left(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("past the deadline")
        self.settimeout(left)

    def recv(self, *args, **kwargs):
        self._left()
        return super().recv(*args, **kwargs)

    def recv_into(self, *args, **kwargs):
        self._left()
        return super().recv_into(*args, **kwargs)

    def send(self, *args, **kwargs):
        self._left()
        return super().send(*args, **kwargs)

    def sendall(self, *args, **kwargs):
        self._left()
        return super().sendall(*args, **kwargs)


class _DeadlineSocket(_Deadline, socket.socket):
    pass


class _DeadlineSSLSocket(_Deadline, ssl.SSLSocket):
    def read(self, *args, **kwargs):
        self._left()
        return super().read(*args, **kwargs)

    def write(self, *args, **kwargs):
        self._left()
        return super().write(*args, **kwargs)

    def do_handshake(self, *args, **kwargs):
        self._left()
        return super().do_handshake(*args, **kwargs)


class _Pinned:
    """Connects to the checked address, whatever the name resolves to now, and keeps
    every operation within the deadline."""

    def __init__(self, address: str, connect_timeout: float, deadline: float, **kwargs):
        super().__init__(**kwargs)
        self._address = address
        self._connect_timeout = connect_timeout
        self._deadline = deadline

    def renew(self, deadline: float) -> None:
        """A kept connection's next exchange, within its own deadline."""
        self._deadline = self.sock.deadline = deadline

    def _open(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self._address else socket.AF_INET
        sock = _DeadlineSocket(family, socket.SOCK_STREAM)
        try:
            sock.deadline = min(self._deadline, time.monotonic() + self._connect_timeout)
            sock._left()
            sock.connect((self._address, self.port))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except BaseException:
            sock.close()
            raise
        sock.deadline = self._deadline
        return sock


class _HTTP(_Pinned, http.client.HTTPConnection):
    def connect(self):
        self.sock = self._open()


class _HTTPS(_Pinned, http.client.HTTPSConnection):
    def connect(self):
        raw = self._open()
        try:
            sock = self._context.wrap_socket(
                raw, server_hostname=self.host, do_handshake_on_connect=False
            )
        except BaseException:
            raw.close()
            raise
        sock.deadline = self._deadline
        self.sock = sock
        sock.do_handshake()


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.sslsocket_class = _DeadlineSSLSocket
    return context


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    connect_timeout: float | None = None,
    total_timeout: float | None = None,
    max_body: int | None = None,
    keep_alive: bool = False,
) -> Answer:
    """POST ``body`` to ``url``; the answer (any status), or OutboundError. Resolving and
    connecting each get ``connect_timeout``; everything, from resolving to the body's
    last byte read, ends by ``total_timeout``. ``keep_alive``: the connection is kept
    (this thread's, cms/kept_connections.py) for the next request to the same destination."""
    connect_timeout = connect_timeout or settings.CMS_OUTBOUND_CONNECT_TIMEOUT
    total_timeout = total_timeout or settings.CMS_OUTBOUND_TOTAL_TIMEOUT
    max_body = max_body if max_body is not None else settings.CMS_OUTBOUND_MAX_BODY
    deadline = time.monotonic() + total_timeout
    scheme, host, port, path = check_url(url)
    destination = (scheme, host, port)
    idle = kept_connections.of_this_thread() if keep_alive else None
    # A kept connection first: if the receiver closed it meanwhile (no answer at all), once
    # more on a new one, within the same deadline.
    for reused in (True, False) if idle is not None else (False,):
        connection = idle.take(destination, address_allowed) if reused else None
        if reused and connection is None:
            continue
        if connection is None:
            address = _resolve(host, port, min(connect_timeout, total_timeout))
            kind = _HTTPS if scheme == "https" else _HTTP
            extra = {"context": _tls_context()} if scheme == "https" else {}
            connection = kind(address, connect_timeout, deadline, host=host, port=port, **extra)
        else:
            connection.renew(deadline)
        keep, answered = False, False
        try:
            if connection.sock is None:
                connection.connect()
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            answered = True
            answer, keep = _read(response, max_body)
            return answer
        except TimeoutError:
            raise OutboundError(
                "TIMEOUT", f"No complete answer within {total_timeout:g} s."
            ) from None
        except (OSError, http.client.HTTPException) as error:
            if reused and not answered and isinstance(error, STALE):
                continue
            raise OutboundError("CONNECTION", f"{type(error).__name__}: {error}") from None
        finally:
            if keep and idle is not None:
                idle.give(destination, connection)
            else:
                connection.close()
    raise AssertionError("unreachable: the last attempt returns or raises")


#: What a kept connection the receiver closed meanwhile fails with, before any answer.
STALE = (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)


def _read(response, max_body: int) -> tuple[Answer, bool]:
    """The answer, its body up to ``max_body``; and whether the connection may be kept
    (the whole body read, and the receiver didn't say it closes)."""
    answer_headers = {k.lower(): v for k, v in response.getheaders()}
    chunks, size = [], 0
    while size <= max_body:
        chunk = response.read1(CHUNK)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    data = b"".join(chunks)
    truncated = size > max_body
    complete = not truncated and (response.isclosed() or response.length == 0)
    keep = complete and not response.will_close
    if keep:
        response.close()  # the body's end: the socket stays open
    return Answer(response.status, answer_headers, data[:max_body], truncated), keep


def close_idle() -> None:
    """Close this thread's kept connections."""
    kept_connections.close_all()
