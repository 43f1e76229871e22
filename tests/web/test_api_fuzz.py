"""Schemathesis against the live API (issue 15, point 4): the application runs under waitress
as `registratur serve` runs it, the schema is read from /api/schema/, and every operation of
/api/v1/ is fuzzed with a service token of unit A: no server error, every response as the
schema says (status, content type, body). A token of unit B then fuzzes every read, and no
response carries anything of A's case files."""

import threading

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from archive.actors import actor_for_user
from archive.models import CaseFile
from archive.services.casefiles import case_file_update
from archive.services.staff import staff_set
from identity.tokens import token_create
from tests.archive.helpers import file_document
from tests.conftest import user

pytestmark = pytest.mark.django_db(transaction=True)
EXAMPLES = 12
CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.content_type_conformance,
    checks.status_code_conformance,
]


@pytest.fixture
def live(demo_tx):
    from django.core.handlers.wsgi import WSGIHandler
    from waitress.server import create_server

    server = create_server(WSGIHandler(), host="127.0.0.1", port=0, threads=2, ident="Registratur")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()
    thread.join(timeout=10)


def _token(name, account, unit, actions):
    staff_set(
        actor=actor_for_user(user("admin")), username=account, role="caseworker", units=[unit]
    )
    return token_create(
        actor=actor_for_user(user("admin")),
        name=name,
        username=account,
        units=[unit],
        actions=actions,
    )[1]


def _fuzz(base: str, token: str, *, methods=("GET", "POST"), seen: list | None = None) -> list:
    headers = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_url(f"{base}/api/schema/?format=json", headers=headers)
    failures = []
    for result in schema.include(path_regex="^/api/v1/").get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in methods:
            continue

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call_and_validate(base_url=base, headers=headers, checks=CHECKS)
            if seen is not None:
                seen.append(
                    response.text
                    if hasattr(response, "text")
                    else response.content.decode("utf-8", "replace")
                )

        try:
            run()
        except Exception as failure:  # noqa: BLE001 - collected, reported together below
            failures.append(f"{operation.method.upper()} {operation.path}: {failure}")
    return failures


def test_schemathesis_finds_no_server_error_and_no_schema_violation(live, demo_tx):
    a = demo_tx["A"]
    case_file_update(
        actor=actor_for_user(user("sachbearbeitung-a")),
        case_file=a,
        client_number="KD-4711",
        subject_name="Erika Musterfrau",
    )
    file_document(a, text="Bescheid Wohngeld", store=True)
    actions = ["read", "manage", "ingest", "correct", "search"]
    token_a = _token("Fachverfahren A", "fv-a", "A", actions)
    token_b = _token("Fachverfahren B", "fv-b", "B", actions)

    assert _fuzz(live, token_a) == []

    bodies: list[str] = []
    assert _fuzz(live, token_b, methods=("GET",), seen=bodies) == []
    assert bodies  # the reads did answer
    secrets = [
        *CaseFile.objects.filter(unit__code="A").values_list("file_reference", flat=True),
        "Erika Musterfrau",
        "KD-4711",
        "Bescheid Wohngeld",
    ]
    leaked = {secret for secret in secrets for body in bodies if secret in body}
    assert leaked == set()
