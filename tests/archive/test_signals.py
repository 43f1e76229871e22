"""The archive's signals are named for what happened and carry their arguments, so that no
receiver has to ask which class sent them; the demo setup lives outside the kernel."""
import importlib
from contextlib import contextmanager

import pytest

from archive import signals
from archive.actors import actor_for_user as acting
from archive.services.casefiles import case_file_close, case_file_reopen, case_file_update
from archive.services.subject_rights import case_file_restrict
from tests.archive.helpers import file_document, grant
from tests.conftest import user

pytestmark = pytest.mark.django_db


@contextmanager
def heard(*names):
    """Every signal of these names as (name, kwargs without the signal itself)."""
    calls = []
    receivers = {}
    for name in names:
        def receiver(sender, _name=name, **kwargs):
            kwargs.pop("signal")
            calls.append((_name, kwargs))
        receivers[name] = receiver
        getattr(signals, name).connect(receiver, weak=False)
    try:
        yield calls
    finally:
        for name, receiver in receivers.items():
            getattr(signals, name).disconnect(receiver)


def test_filing_closing_reopening_and_restricting_say_what_happened(demo):
    case_file = demo["A"]
    with heard("version_filed", "retention_basis_changed") as calls:
        document = file_document(case_file)
    version_id = document.versions.get().pk
    assert calls == [("version_filed", {"document_id": document.pk, "version_id": version_id}),
                     ("retention_basis_changed", {"case_file_id": case_file.pk})]

    caseworker = acting(user("sachbearbeitung-a"))
    with heard("case_file_updated") as calls:
        case_file_update(actor=caseworker, case_file=case_file, title="Neuer Titel")
    assert calls == [("case_file_updated", {"case_file_id": case_file.pk,
                                            "document_ids": [document.pk],
                                            "fields": ["title"]})]

    with heard("case_file_closed", "case_file_reopened") as calls:
        case_file_close(actor=caseworker, case_file=case_file)
        case_file_reopen(actor=acting(grant("sachbearbeitung-a", "reopen_casefile")),
                         case_file=case_file, reason="Widerspruch eingegangen")
    assert calls == [
        ("case_file_closed", {"case_file_id": case_file.pk, "document_ids": [document.pk]}),
        ("case_file_reopened", {"case_file_id": case_file.pk, "document_ids": [document.pk]}),
    ]

    with heard("case_file_access_changed") as calls:
        case_file_restrict(actor=acting(user("datenschutz")), case_file=case_file,
                           reason="bestritten")
    assert calls == [("case_file_access_changed", {"case_file_id": case_file.pk,
                                                   "document_ids": [document.pk]})]


def test_every_signal_documents_its_arguments():
    source = importlib.import_module("archive.signals").__loader__.get_source("archive.signals")
    for name in ("version_filed", "document_changed", "case_file_access_changed",
                 "case_file_updated", "case_file_closed", "case_file_reopened",
                 "retention_basis_changed", "destruction_requested", "documents_destroyed"):
        declared = source.index(f"{name} = Signal()")
        docstring = source[declared:source.index('"""', source.index('"""', declared) + 3)]
        assert "kwargs:" in docstring, name
    for old in ("version_created", "pre_destroy", "case_file_changed"):
        assert not hasattr(signals, old)


def test_the_demo_setup_is_not_in_the_kernel():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("archive.services.demo")
    from web.demo import demo_setup  # noqa: F401
