"""The office API as the console calls it: JSON in, JSON (or a file's bytes) out, errors as
`ApiError` with the server's code and detail, and its message in the console's language when it
said one (never a traceback on the supervisor's screen)."""

from __future__ import annotations

from typing import Any

import httpx

PREFIX = "/office/v1"


class ApiError(Exception):
    """The server refused (its `error` code and `detail`, and `problems` when it listed some), or
    the request was never made (status 0): the server did not answer (`unreachable`), the file to
    send could not be read (`unreadable`), a line typed is not one (`bad_line`). `message` is the
    server's sentence for the code, in `language` ("" when it said none)."""

    def __init__(self, code: str, detail: str, status: int = 0, problems: list[dict[str, Any]] | None = None,
                 *, message: str = "", language: str = "") -> None:
        self.code, self.detail, self.status = code, detail, status
        self.problems = problems or []
        self.message, self.language = message, language
        super().__init__(f"{code}: {detail}")


class OfficeClient:
    """Calls `/office/v1/...` on one server with one bearer token; asks for refusals said in
    `language` (`Accept-Language`; the console sets it to its own, F4 included)."""

    def __init__(self, http: httpx.Client, token: str | None = None, language: str | None = None) -> None:
        self.http = http
        self.token = token
        self.language = language

    @classmethod
    def connect(cls, server: str, token: str | None = None) -> OfficeClient:
        return cls(httpx.Client(base_url=server.rstrip("/"), timeout=httpx.Timeout(60.0, connect=5.0)), token)

    def login(self, account_id: str, password: str) -> str:
        answer = self._call("POST", "/login", json={"account_id": account_id, "password": password}, auth=False)
        self.token = str(answer["token"])
        return self.token

    def get(self, path: str, **params: Any) -> Any:
        return self._call("GET", path, params={k: v for k, v in params.items() if v is not None})

    def post(self, path: str, body: Any = None) -> Any:
        return self._call("POST", path, json=body if body is not None else {})

    def put(self, path: str, body: Any) -> Any:
        return self._call("PUT", path, json=body)

    def delete(self, path: str) -> Any:
        return self._call("DELETE", path)

    def upload(self, path: str, content: bytes, *, content_type: str = "text/csv; charset=utf-8",
               **params: Any) -> Any:
        """POST a file's bytes as the body (the imports take a CSV or an XLSX this way)."""
        return self._call("POST", path, content=content, params=params, extra_headers={"content-type": content_type})

    def _call(self, method: str, path: str, *, auth: bool = True, extra_headers: dict[str, str] | None = None,
              **kwargs: Any) -> Any:
        headers = {"authorization": f"Bearer {self.token}"} if auth and self.token else {}
        if self.language:
            headers["accept-language"] = self.language
        headers.update(extra_headers or {})
        try:
            answer = self.http.request(method, PREFIX + path, headers=headers, **kwargs)
        except httpx.HTTPError as problem:
            raise ApiError("unreachable", f"the server did not answer: {problem}") from problem
        if answer.status_code >= 400:
            try:
                body = answer.json()
            except ValueError:
                raise ApiError(f"http_{answer.status_code}", answer.text[:200], answer.status_code) from None
            if not isinstance(body, dict):
                raise ApiError(f"http_{answer.status_code}", str(body)[:200], answer.status_code)
            problems, message = body.get("problems"), body.get("message")
            raise ApiError(str(body.get("error", answer.status_code)), str(body.get("detail", "")),
                           answer.status_code, problems if isinstance(problems, list) else None,
                           message=message if isinstance(message, str) else "",
                           language=answer.headers.get("content-language", ""))
        if answer.headers.get("content-type", "").startswith("application/json"):
            return answer.json()
        return answer.content
