"""A real HTTP receiver on loopback (http.server in a thread): records what arrives and
answers as told (a status, a delay); counts the connections it accepted; a GET answers
how many requests arrived. With ``keep_alive``, an HTTP/1.1 server keeping connections open
between requests (answers with a Content-Length); ``drop_idle``: it then closes each
connection after answering, without saying so (as a server whose keep-alive timeout ran out)."""

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, *, keep_alive: bool = False, drop_idle: bool = False):
        self.connections = 0
        self.received: list[dict] = []
        self.statuses: list[int] = []  # answers to give, in order; then 200
        self.delay = 0.0
        self.body = b"ok"
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def setup(self):
                super().setup()
                receiver.connections += 1

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if receiver.delay:
                    time.sleep(receiver.delay)
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                receiver.received.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                        "at": time.time(),
                    }
                )
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                if keep_alive:
                    self.send_header("Content-Length", str(len(receiver.body)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the sender gave up
                    self.wfile.write(receiver.body)
                if drop_idle:
                    self.close_connection = True

            def do_GET(self):
                """How many requests arrived: for a caller in another process (a CI's
                report must follow the build request it answers)."""
                body = json.dumps({"received": len(receiver.received)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def json(self, index: int) -> dict:
        return json.loads(self.received[index]["body"])

    def wait(self, count: int, timeout: float = 15) -> None:
        deadline = time.time() + timeout
        while len(self.received) < count and time.time() < deadline:
            time.sleep(0.02)
        assert len(self.received) >= count, self.received

    def close(self):
        self.server.shutdown()
        self.server.server_close()
