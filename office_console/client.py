"""The office API as the console calls it: JSON in, JSON out, errors as `ApiError` with the server's
code and detail (never a traceback on the supervisor's screen)."""

from __future__ import annotations

from typing import Any

import httpx

PREFIX = "/office/v1"


class ApiError(Exception):
    def __init__(self, code: str, detail: str, status: int = 0) -> None:
        self.code, self.detail, self.status = code, detail, status
        super().__init__(f"{code}: {detail}")


class OfficeClient:
    """Calls `/office/v1/...` on one server with one bearer token."""

    def __init__(self, http: httpx.Client, token: str | None = None) -> None:
        self.http = http
        self.token = token

    @classmethod
    def connect(cls, server: str, token: str | None = None) -> OfficeClient:
        return cls(httpx.Client(base_url=server.rstrip("/"), timeout=httpx.Timeout(15.0, connect=5.0)), token)

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

    def _call(self, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> Any:
        headers = {"authorization": f"Bearer {self.token}"} if auth and self.token else {}
        try:
            answer = self.http.request(method, PREFIX + path, headers=headers, **kwargs)
        except httpx.HTTPError as problem:
            raise ApiError("unreachable", f"the server did not answer: {problem}") from problem
        if answer.status_code >= 400:
            try:
                body = answer.json()
                raise ApiError(str(body.get("error", answer.status_code)), str(body.get("detail", "")),
                               answer.status_code)
            except ValueError:
                raise ApiError(f"http_{answer.status_code}", answer.text[:200], answer.status_code) from None
        if answer.headers.get("content-type", "").startswith("application/json"):
            return answer.json()
        return answer.content
