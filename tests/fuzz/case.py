"""One request of the fuzzer, as it goes on the wire, and its printable reproduction."""

from dataclasses import dataclass, field


@dataclass
class Case:
    method: str
    path: str  # percent-encoded, as sent on the wire
    query: str = ""  # raw query string, percent-encoded
    headers: dict = field(default_factory=dict)
    body: bytes = b""
    content_type: str = "application/json"
    role: str = "admin"
    chunked: bool = False  # sent without a Content-Length, as a chunked body arrives
    endpoint: str = ""  # the route aimed at, for the coverage figures

    @property
    def url(self) -> str:
        return self.path + (f"?{self.query}" if self.query else "")

    def reproduction(self, limit: int = 400) -> str:
        body = self.body.decode("utf-8", "backslashreplace")
        if len(body) > limit:
            body = f"{body[:limit]}... ({len(self.body)} bytes)"
        url = self.url if len(self.url) <= limit else f"{self.url[:limit]}... ({len(self.url)})"
        lines = [f"{self.method} {url}  [token: {self.role}]"]
        lines += [f"  {name}: {value[:100]!r}" for name, value in self.headers.items()]
        if self.chunked:
            lines.append("  Transfer-Encoding: chunked")
        if self.body:
            lines.append(f"  Content-Type: {self.content_type}")
            lines.append(f"  body: {body}")
        return "\n".join(lines)
