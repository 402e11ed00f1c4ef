"""The one place that opens URLs: bounded, conditional, and never a proxy into the server's own network.

Only http and https; every hop of at most MAX_REDIRECTS redirects is checked again. The host is resolved
here and the connection goes to the address that was checked (so a second DNS answer cannot point
elsewhere); an address in a loopback, link-local, private, shared, multicast or reserved range is refused
unless `fetch_allow_private` is set. Time-outs bound the connection and the whole response, the body is
read up to the size limit and no further, and only text, HTML and XML (RSS, Atom) content types are taken.
No proxy from the environment is used: urllib would honour HTTP_PROXY, http.client does not.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from rag.messages import InputError
from rag.reading import size_text
from rag.store.feeds import Validators

MAX_REDIRECTS = 5
USER_AGENT = "rag-press-releases/0.1 (offline press-release assistant; +https://example.invalid/rag)"
ACCEPTED_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml",
                  "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+xml")
_READ_CHUNK = 65536


@dataclass(frozen=True)
class Response:
    url: str
    status: int
    body: bytes
    content_type: str
    charset: str | None
    validators: Validators

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Fetcher:
    max_bytes: int
    timeout_s: float
    allow_private: bool = False

    def get(self, url: str, validators: Validators | None = None) -> Response:
        """GET `url`, conditionally when validators are given (a 304 has an empty body). Raises InputError."""
        deadline = time.monotonic() + self.timeout_s
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            status, headers, body = self._request(current, validators, deadline)
            if status in (301, 302, 303, 307, 308) and headers.get("location"):
                current = urljoin(current, headers["location"])
                continue
            return self._response(current, status, headers, body)
        raise InputError("too_many_redirects", limit=MAX_REDIRECTS)

    def _response(self, url: str, status: int, headers: dict[str, str], body: bytes) -> Response:
        media, charset = _content_type(headers.get("content-type", ""))
        if status != 304:
            if not 200 <= status < 300:
                raise InputError("http_status", status=status, reason=http.client.responses.get(status, ""))
            if media and media not in ACCEPTED_TYPES:
                raise InputError("content_type", content_type=media)
        return Response(url, status, body, media, charset,
                        Validators(headers.get("etag"), headers.get("last-modified")))

    def _request(self, url: str, validators: Validators | None, deadline: float) -> tuple[int, dict, bytes]:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise InputError("url_scheme", scheme=parts.scheme or "(none)")
        if not parts.hostname:
            raise InputError("bad_url")
        address = self._address(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
        remaining = max(0.1, deadline - time.monotonic())
        connection = _connection(parts.scheme, parts.hostname, address, min(self.timeout_s, remaining))
        headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity",
                   "Accept": "text/html, application/xhtml+xml, application/rss+xml, application/atom+xml, "
                             "application/xml;q=0.9, text/*;q=0.8"}
        if validators and validators.etag:
            headers["If-None-Match"] = validators.etag
        if validators and validators.last_modified:
            headers["If-Modified-Since"] = validators.last_modified
        try:
            connection.request("GET", (parts.path or "/") + (f"?{parts.query}" if parts.query else ""),
                               headers=headers)
            response = connection.getresponse()
            found = {k.lower(): v for k, v in response.getheaders()}
            body = b"" if response.status in (301, 302, 303, 304, 307, 308) else self._read(response, found, deadline)
            return response.status, found, body
        except (TimeoutError, socket.timeout):
            raise InputError("fetch_timeout", seconds=f"{self.timeout_s:g}") from None
        except (OSError, http.client.HTTPException) as exc:
            raise InputError("fetch_failed", error=str(exc) or type(exc).__name__) from None
        finally:
            connection.close()

    def _read(self, response: http.client.HTTPResponse, headers: dict[str, str], deadline: float) -> bytes:
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise InputError("page_too_big", size=size_text(int(declared)), limit=size_text(self.max_bytes))
        body = bytearray()
        while chunk := response.read1(_READ_CHUNK):
            body += chunk
            if len(body) > self.max_bytes:
                raise InputError("page_too_big", size=f"over {size_text(self.max_bytes)}",
                                 limit=size_text(self.max_bytes))
            if time.monotonic() > deadline:
                raise InputError("fetch_timeout", seconds=f"{self.timeout_s:g}")
        return bytes(body)

    def _address(self, host: str, port: int) -> tuple[str, int]:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise InputError("fetch_failed", error=f"cannot resolve {host} ({exc.strerror})") from None
        addresses = [info[4][0] for info in infos]
        if not self.allow_private:
            for address in addresses:
                if not is_public(address):
                    raise InputError("url_private", host=host, address=address)
        return addresses[0], port


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _content_type(value: str) -> tuple[str, str | None]:
    media, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, found = param.strip().partition("=")
        if name.lower() == "charset" and found:
            charset = found.strip("\"' ").lower()
    return media.strip().lower(), charset


class _PinnedHTTP(http.client.HTTPConnection):
    """Connects to the address that was checked, while the request names the host."""

    def __init__(self, host: str, address: tuple[str, int], timeout: float):
        super().__init__(host, address[1], timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection(self.address, self.timeout)


class _PinnedHTTPS(_PinnedHTTP):
    def connect(self) -> None:
        super().connect()
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def _connection(scheme: str, host: str, address: tuple[str, int], timeout: float) -> _PinnedHTTP:
    return (_PinnedHTTPS if scheme == "https" else _PinnedHTTP)(host, address, timeout)
