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


def serve(answer: bytes, *, endless: bytes = b"", drip: float = 0.0) -> int:
    """A one-connection server writing ``answer`` then ``endless`` forever (or until the
    client leaves), a chunk every ``drip`` seconds."""
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
