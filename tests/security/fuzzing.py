"""Fuzzing the server's HTTP API with schemathesis, in process: every operation of its OpenAPI
schema (the sync API with a device token, the office API with an admin's token) gets generated
requests, valid and invalid, and every answer is checked against the schema.

    failures = fuzz_api(app, {"/v1/": device_headers, "/office/v1/": admin_headers}, examples=5)

What is checked: no 5xx; status codes, content types and bodies as the schema declares them.
What is not: that the server refuses every request the schema would not allow — a push whose op
breaks a payload rule is answered 200 with that op `rejected`, by design (DESIGN §4).
"""

from __future__ import annotations

import os
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

EXAMPLES_ENV = "KUCUN_FUZZ_EXAMPLES"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# operations left out: a webhook URL would make the server POST to what the fuzzer made up
SKIPPED = {("PUT", "/office/v1/alerts/webhook")}


def examples_per_operation(default: int) -> int:
    return int(os.environ.get(EXAMPLES_ENV, default))


@dataclass
class Failure:
    operation: str
    mode: str
    problem: str

    def __str__(self) -> str:
        return f"{self.operation} ({self.mode}): {self.problem}"


def fuzz_api(app: Any, headers: Mapping[str, Mapping[str, str]], examples: int, *,
             operations: set[str] | None = None) -> tuple[list[Failure], dict[str, float]]:
    """Fuzz every operation of `app`'s schema; the first failure of each operation and mode, and the
    seconds each operation took. `headers`: by path prefix, what to send (the credentials)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[Failure] = []
    timings: dict[str, float] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        if operations is not None and label not in operations:
            continue
        sent = next((dict(h) for prefix, h in headers.items() if operation.path.startswith(prefix)), {})
        started = time.perf_counter()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            problem = _first_failure(operation, mode, sent, examples)
            if problem is not None:
                failures.append(Failure(label, mode.value, problem))
        timings[label] = time.perf_counter() - started
    return failures, timings


def _first_failure(operation: Any, mode: GenerationMode, sent: dict[str, str], examples: int) -> str | None:
    found: list[str] = []

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        if found:
            return
        try:
            response = case.call(headers=sent)
            case.validate_response(response, checks=CHECKS, headers=sent)
        except (Exception, BaseExceptionGroup) as problem:  # any check failure: keep the first, go on
            found.append(f"{type(problem).__name__}: {problem}"[:3000])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            run()
        except Unsatisfiable:  # nothing of the operation can be made invalid (no parameter, no body)
            pass
    return found[0] if found else None
