"""Property-based requests against the OpenAPI schema (schemathesis): no request, however odd,
gets a 5xx, and every error has the one error body.  Writes are sent with an admin's token so
that their validation is exercised too.  Bounded (a few examples per operation, derandomised)
so the run stays well under a minute."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from ecozone.api.app import create_app
from ecozone.api.state import Settings
from tests.web.conftest import Seeded, auth

EXAMPLES = 6


def test_no_server_errors(db_copy: Path, seeded: Seeded) -> None:
    app = create_app(Settings(db=db_copy, rate_per_ip=0, rate_per_token=0, load_bundled=False))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = auth(seeded.tokens["admin"])
    failures: list[str] = []
    operations = 0
    for result, mode in ((r, m) for r in schema.get_all_operations() for m in GenerationMode):
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} {case.query} -> {response.status_code}: "
                                f"{response.text[:200]}")
            elif response.status_code >= 400:
                assert set(response.json()) == {"code", "message_zh", "message_en", "detail"}, response.text

        try:
            run()
        except Unsatisfiable:  # an operation without parameters has no invalid input to make
            assert mode is GenerationMode.NEGATIVE
            operations -= 1
    assert operations >= 30  # each operation with valid input, and with invalid input where it has any
    assert failures == []
