"""Errors carry their own HTTP status and exit code; pages, API and command line translate
them in one place each, the same way."""
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command, load_command_class
from django.test import RequestFactory

from archive.errors import (
    Conflict,
    Gone,
    IntegrityFailure,
    InvalidInput,
    NotFound,
    PermissionDenied,
    RegistraturError,
)
from ingest.errors import IngestFailed, IngestRefused, IngestTransient
from web.api.errors import api_exception_handler
from web.errors import DomainErrorMiddleware

EXPECTED = [
    # class, HTTP status, exit code
    (NotFound, 404, 3),
    (PermissionDenied, 403, 4),
    (InvalidInput, 400, 2),
    (Conflict, 409, 5),
    (Gone, 410, 6),
    (IngestRefused, 422, 7),
    (IngestFailed, 503, 8),
    (IngestTransient, 503, 8),
    (IntegrityFailure, 500, 9),
    (RegistraturError, 500, 1),
]


@pytest.mark.parametrize(("kind", "status", "exit_code"), EXPECTED)
def test_each_error_class_carries_its_status_and_exit_code(kind, status, exit_code):
    assert (kind.http_status, kind.exit_code) == (status, exit_code)


@pytest.mark.parametrize(("kind", "status", "exit_code"), EXPECTED)
def test_a_page_answers_with_the_errors_status(kind, status, exit_code):
    request = RequestFactory().get("/irgendwo/")
    response = DomainErrorMiddleware(lambda r: None).process_exception(
        request, kind("Etwas stimmt nicht.", code="SOME_CODE"))
    assert response.status_code == status
    assert "SOME_CODE" in response.content.decode()


@pytest.mark.parametrize(("kind", "status", "exit_code"), EXPECTED)
def test_the_api_answers_with_the_errors_status(kind, status, exit_code):
    response = api_exception_handler(kind("Etwas stimmt nicht.", code="SOME_CODE"), {})
    assert response.status_code == status
    # RFC 9457 problem details, still carrying the stable code and message (API v1).
    assert {key: response.data[key] for key in ("code", "message", "status", "type")} == {
        "code": "SOME_CODE", "message": "Etwas stimmt nicht.", "status": status,
        "type": "urn:registratur:problem:SOME_CODE"}


@pytest.mark.django_db
def test_the_command_line_exits_with_the_errors_code_and_prints_code_and_message(
        demo, monkeypatch):
    # run_from_argv closes the connections at the end, which would end the test's database.
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    command = load_command_class("archive", "casefile")
    err = StringIO()
    command.stderr._out = err  # OutputWrapper: keep the text for the assertion
    with pytest.raises(SystemExit) as exit_:
        command.run_from_argv(["registratur", "casefile", "close", "50.20.1-1900-000001",
                               "--user", "sachbearbeitung-a"])
    assert exit_.value.code == NotFound.exit_code == 3
    assert err.getvalue().startswith("CASE_FILE_UNKNOWN: ")

    command = load_command_class("archive", "casefile")
    command.stderr._out = err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        command.run_from_argv(["registratur", "casefile", "reopen", demo["A"].file_reference,
                               "--user", "sachbearbeitung-a", "--reason", "x"])
    # Reopening is the team lead's: not permitted.
    assert exit_.value.code == PermissionDenied.exit_code == 4
    assert err.getvalue().startswith("PERMISSION_DENIED: ")


@pytest.mark.django_db
def test_call_command_raises_command_error_with_the_exit_code(demo):
    with pytest.raises(CommandError) as error:
        call_command("casefile", "close", demo["A"].file_reference, "--user", "niemand",
                     stdout=StringIO())
    assert error.value.returncode == NotFound.exit_code
    assert str(error.value).startswith("USER_UNKNOWN: ")
    out = StringIO()
    call_command("casefile", "close", demo["A"].file_reference, "--user", "sachbearbeitung-a",
                 stdout=out)
    assert json.loads(out.getvalue())["file_reference"] == demo["A"].file_reference
