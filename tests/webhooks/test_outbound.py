"""cms/outbound.py against real sockets on loopback: the allow-list on the address
connected, bounded bodies, redirects not followed, the total deadline."""

import socket
import threading
import time

import pytest

from cms import outbound


@pytest.fixture
def allow_loopback(settings):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = "127.0.0.0/8"


def serve(answer: bytes, *, endless: bytes = b"", drip: float = 0.0, hold: float = 0.0) -> int:
    """A one-connection server writing ``answer`` then ``endless`` forever (or until the
    client leaves), a chunk every ``drip`` seconds; then silent for ``hold`` seconds."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def run():
        connection, _ = listener.accept()
        connection.recv(65536)
        try:
            connection.sendall(answer)
            while endless:
                connection.sendall(endless)
                time.sleep(drip)
            time.sleep(hold)
        except OSError:
            pass
        finally:
            connection.close()
            listener.close()

    threading.Thread(target=run, daemon=True).start()
    return listener.getsockname()[1]


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("192.168.0.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("fe80::1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("93.184.216.34", True),
        ("2606:4700::6810:84e5", True),
        # IPv6 forms of private space
        ("::ffff:10.0.0.1", False),  # IPv4-mapped
        ("::ffff:169.254.169.254", False),
        ("::ffff:93.184.216.34", True),
        ("2002:c0a8:0101::1", False),  # 6to4 around 192.168.1.1
        ("2002:7f00:0001::", False),  # 6to4 around 127.0.0.1
        ("2002:0a00:0001:1::5", False),  # 6to4 around 10.0.0.1
        ("2002:5db8:d822::1", True),  # 6to4 around 93.184.216.34
        ("fec0::1", False),  # site-local (deprecated)
        ("feff::1", False),
        ("fc00::1", False),  # unique-local
        ("fd12:3456::1", False),
        ("64:ff9b::c0a8:101", False),  # NAT64 around 192.168.1.1
        ("64:ff9b::7f00:1", False),  # NAT64 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 around 169.254.169.254
        ("64:ff9b::5db8:d822", True),  # NAT64 around 93.184.216.34
        ("64:ff9b:1::a00:1", False),  # local-use NAT64 prefix
        ("::a00:1", False),  # IPv4-compatible (deprecated)
        ("fe80::1%1", False),
        ("ff02::1", False),
        ("::", False),
    ],
)
def test_default_allow_list(address, allowed, settings):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = ""
    assert outbound.address_allowed(address) is allowed


def test_allowed_networks_setting(settings):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = "10.0.0.0/8, 127.0.0.0/8"
    assert outbound.address_allowed("10.9.9.9")
    assert outbound.address_allowed("::ffff:127.0.0.1")
    assert not outbound.address_allowed("192.168.1.1")


def test_allowed_networks_and_wrapped_addresses(settings):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = "192.168.0.0/16, fd00::/8"
    assert outbound.address_allowed("2002:c0a8:0101::1")  # 6to4 to an allowed host
    assert outbound.address_allowed("64:ff9b::c0a8:101")
    assert outbound.address_allowed("fd12::1")
    assert not outbound.address_allowed("2002:0a00:0001::1")
    assert not outbound.address_allowed("fc00::1")


@pytest.mark.parametrize(
    "url",
    [
        "http://[::ffff:127.0.0.1]:9/",
        "http://[::ffff:7f00:1]:9/",
        "http://[2002:7f00:1::1]:9/",
        "http://[64:ff9b::7f00:1]:9/",
        "http://[fd00::1]:9/",
        "http://[fec0::1]:9/",
        "http://10.0.0.1:9/",
        "http://2130706433:9/",  # 127.0.0.1 as one number: resolved, then refused
    ],
)
def test_refused_before_any_connection(url, settings):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = ""
    started = time.monotonic()
    with pytest.raises(outbound.OutboundError) as refused:
        outbound.post(url, b"{}", {})
    assert refused.value.code == "FORBIDDEN_ADDRESS"
    assert time.monotonic() - started < 1


def test_resolution_is_bounded():
    """getaddrinfo has no timeout: the lookup is abandoned once late."""
    started = time.monotonic()
    assert outbound._within(0.2, lambda: time.sleep(5)) is None
    assert time.monotonic() - started < 1
    assert outbound._within(1, lambda: 42) == 42
    assert isinstance(outbound._within(1, lambda: socket.getaddrinfo("x.invalid", 80)), OSError)


def test_an_unknown_name_is_a_connection_error(settings):
    with pytest.raises(outbound.OutboundError) as failed:
        outbound.post("http://no-such-host.invalid/", b"{}", {})
    assert failed.value.code == "CONNECTION"


def test_a_name_resolving_to_loopback_is_refused(settings):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = ""
    with pytest.raises(outbound.OutboundError) as refused:
        outbound.post("http://localhost:9/x", b"{}", {})
    assert refused.value.code == "FORBIDDEN_ADDRESS"


@pytest.mark.usefixtures("allow_loopback")
def test_a_huge_body_is_read_up_to_the_cap():
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 5000000000\r\n\r\n"
    port = serve(head, endless=b"x" * 65536)
    answer = outbound.post(f"http://127.0.0.1:{port}/", b"{}", {}, max_body=1000)
    assert answer.ok and answer.truncated and len(answer.body) == 1000


@pytest.mark.usefixtures("allow_loopback")
def test_a_redirect_is_the_answer_not_followed():
    port = serve(
        b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n"
    )
    answer = outbound.post(f"http://localhost:{port}/", b"{}", {})
    assert answer.status == 302 and not answer.ok


@pytest.mark.usefixtures("allow_loopback")
def test_a_dripping_body_hits_the_total_deadline():
    head = b"HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n"
    port = serve(head, endless=b"x", drip=0.05)
    started = time.monotonic()
    with pytest.raises(outbound.OutboundError) as timed_out:
        outbound.post(f"http://127.0.0.1:{port}/", b"{}", {}, total_timeout=0.5)
    assert timed_out.value.code == "TIMEOUT"
    assert time.monotonic() - started < 1.5


@pytest.mark.usefixtures("allow_loopback")
def test_nothing_listening_is_a_connection_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(outbound.OutboundError) as refused:
        outbound.post(f"http://127.0.0.1:{port}/", b"{}", {})
    assert refused.value.code == "CONNECTION"


@pytest.mark.usefixtures("allow_loopback")
@pytest.mark.parametrize(
    ("first", "drip"),
    [
        (b"", b"H"),  # the status line, a byte at a time
        (b"HTTP/1.1 200 OK\r\n", b"X"),  # a header that never ends
        (b"HTTP/1.1 200 OK\r\n", b"X-A: b\r\n"),  # headers that never end
        (b"HTTP/1.1 200 OK\r\n\r\n", b"x"),  # a body without a length, dripping
    ],
)
def test_a_dripping_answer_is_cut_at_the_total(first, drip):
    """Each byte arrives well within any per-read timeout: only a deadline over the whole
    exchange stops it."""
    port = serve(first, endless=drip, drip=0.05)
    started = time.monotonic()
    with pytest.raises(outbound.OutboundError) as timed_out:
        outbound.post(f"http://127.0.0.1:{port}/", b"{}", {}, total_timeout=0.6)
    assert timed_out.value.code == "TIMEOUT"
    assert 0.5 < time.monotonic() - started < 1.2


@pytest.mark.usefixtures("allow_loopback")
def test_an_endless_body_without_a_length_is_read_up_to_the_cap():
    port = serve(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n", endless=b"y" * 65536)
    started = time.monotonic()
    answer = outbound.post(f"http://127.0.0.1:{port}/", b"{}", {}, max_body=5000)
    assert answer.ok and answer.truncated and answer.body == b"y" * 5000
    assert time.monotonic() - started < 1


@pytest.mark.usefixtures("allow_loopback")
def test_a_silent_tls_handshake_is_cut_at_the_total():
    port = serve(b"", hold=3)  # accepts, reads the ClientHello, says nothing
    started = time.monotonic()
    with pytest.raises(outbound.OutboundError) as timed_out:
        outbound.post(f"https://127.0.0.1:{port}/", b"{}", {}, total_timeout=0.5)
    assert timed_out.value.code == "TIMEOUT"
    assert time.monotonic() - started < 1.2


@pytest.mark.usefixtures("allow_loopback")
def test_a_receiver_that_never_reads_the_request_is_cut_at_the_total():
    """A big request body into a receiver that reads none of it: sendall is bounded too."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    held = []
    threading.Thread(target=lambda: held.append(listener.accept()), daemon=True).start()
    started = time.monotonic()
    try:
        with pytest.raises(outbound.OutboundError) as timed_out:
            outbound.post(
                f"http://127.0.0.1:{listener.getsockname()[1]}/",
                b"z" * 50_000_000,
                {},
                total_timeout=0.5,
            )
        assert timed_out.value.code == "TIMEOUT"
        assert time.monotonic() - started < 1.5
    finally:
        listener.close()
