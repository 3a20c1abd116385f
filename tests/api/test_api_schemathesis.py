"""Schemathesis against the OpenAPI document, in process (no network): requests generated
from every operation's schema — valid ones and invalid ones — never get a 5xx.

Background jobs are not started (their routes' checks and answers are what is tested here;
the jobs themselves are tested elsewhere): a generated training run would keep the machine
busy for minutes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from api_support import PASSWORD
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from keepwise import Workspace
from keepwise.api import create_app
from keepwise.workspace.jobs import JobsService

EXAMPLES = 6
#: Answers by status, over the run (both modes).
STATUS: dict[int, int] = {}


@pytest.fixture(scope="module")
def fuzzed(
    tmp_path_factory: pytest.TempPathFactory, demo_factory: Any
) -> Iterator[tuple[Any, str]]:
    path: Path = tmp_path_factory.mktemp("fuzz") / "ws"
    ws: Workspace = demo_factory(path, customers=250)
    ws.users.add("fuzzer", role="admin", password=PASSWORD, actor="test")
    token = ws.users.create_token("fuzzer", actor="test")
    patch = pytest.MonkeyPatch()
    patch.setattr(JobsService, "start", lambda self, kind, params, work: 1)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", create_app(ws))
    yield schema, token
    patch.undo()
    ws.close()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(fuzzed: tuple[Any, str], mode: GenerationMode) -> None:
    schema, token = fuzzed
    headers = {"Authorization": f"Bearer {token}"}
    errors: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 50
    for operation in operations:

        @given(operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            STATUS[response.status_code] = STATUS.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                errors.append(f"{case.method} {case.formatted_path} {case.query} "
                              f"{case.body!r:.200}: {response.status_code} {response.text[:200]}")  # fmt: skip
            else:
                assert response.status_code < 500

        try:
            run()
        except Unsatisfiable:  # no invalid request exists (an operation without parameters)
            assert mode == GenerationMode.NEGATIVE
    assert not errors, "\n".join(errors)
    # The requests reached the routes (a test that only ever met 401 would prove nothing).
    assert sum(n for code, n in STATUS.items() if code < 300) > 80, STATUS
