"""A logged-in browser without a browser: one keep-alive HTTP connection and its cookies, per
thread. Only the HTML of a page is fetched (no style sheets, scripts or pictures), which is
what the server renders per page view."""
import http.client
import re
import time
from http.cookies import SimpleCookie
from urllib.parse import urlencode

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class PageError(Exception):
    pass


class Browser:
    def __init__(self, host: str, port: int, timeout: float = 60):
        self.host, self.port, self.timeout = host, port, timeout
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(host, port, timeout=timeout)

    def _request(self, method: str, path: str, body: bytes | None = None,
                 headers: dict | None = None) -> tuple[int, bytes, dict]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: open a new one once.
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port,
                                                             timeout=self.timeout)
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        return response.status, data, dict(response.headers)

    def get(self, path: str) -> tuple[int, bytes, float]:
        """Status, body and the seconds from sending the request to the last byte."""
        started = time.perf_counter()
        status, data, _headers = self._request("GET", path)
        return status, data, time.perf_counter() - started

    def login(self, username: str, password: str) -> None:
        status, page, _seconds = self.get("/anmelden/")
        match = CSRF_FIELD.search(page.decode())
        if status != 200 or not match:
            raise PageError(f"login page: {status}")
        body = urlencode({"username": username, "password": password,
                          "csrfmiddlewaretoken": match.group(1)}).encode()
        status, _data, headers = self._request(
            "POST", "/anmelden/", body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302 or "sessionid" not in self.cookies:
            raise PageError(f"login of {username} failed: {status}")

    def close(self) -> None:
        self.connection.close()
