"""Every event action, error code and status has a German label, and English is shipped
(issue #12.2). The actions and codes are collected from the source (tests/vocabulary.py), so
a new one without a label fails here."""
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation

from archive import labels
from tests.vocabulary import error_codes, event_actions

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "web" / "locale" / "en" / "LC_MESSAGES"


def test_the_collectors_find_what_the_code_writes():
    """The collectors are the test's premise: they see actions and codes written in each of
    the ways the code writes them (a literal, a conditional, a variable, a module tuple, a
    loop over code/message pairs, a fallback of getattr)."""
    actions = event_actions()
    assert {"viewed", "login_failed", "reactivated", "schedule_changed", "restricted",
            "unrestricted", "previewed", "exported", "confirmed"} <= set(actions)
    codes = error_codes()
    assert {"NOT_FOUND", "TOO_MANY_PAGES", "HOTFOLDER_SYMLINK", "PAGES_DECLARED",
            "STORAGE_UNAVAILABLE", "TRANSIENT_ERROR", "CORRUPT_INPUT", "REFUSED",
            "CHAIN_BROKEN"} <= set(codes)
    assert "A" not in codes  # a unit's code is no error code


def test_every_event_action_has_a_german_label():
    missing = {action: sorted(files) for action, files in event_actions().items()
               if action not in labels.EVENT_ACTIONS}
    assert missing == {}


def test_every_error_code_has_a_german_label():
    missing = {code: sorted(files) for code, files in error_codes().items()
               if code not in labels.ERROR_CODES}
    assert missing == {}


def test_every_object_type_of_the_trail_has_a_label():
    written = set()
    for path in ROOT.glob("*/**/*.py"):
        if path.parts[len(ROOT.parts)] in ("archive", "ingest", "search", "retention", "signoff",
                                           "followups", "oversight", "webhooks",
                                           "desk", "identity", "web"):
            written |= set(re.findall(r'object_type="([a-z_]+)"', path.read_text()))
    assert len(written) > 10
    assert sorted(written - set(labels.OBJECT_TYPES)) == []


def _statuses():
    """Every choice of every model field of the project: job, redaction, disposal, erasure,
    transfer states, schedule triggers and actions, roles, confidentiality."""
    for model in apps.get_models():
        if model._meta.app_label not in ("archive", "ingest", "search", "retention", "signoff",
                                         "followups",
                                         "desk", "web"):
            continue
        for field in model._meta.get_fields():
            for value, label in getattr(field, "choices", None) or ():
                yield f"{model.__name__}.{field.name}", value, label


def test_every_status_has_a_german_label():
    statuses = list(_statuses())
    fields = {name for name, _, _ in statuses}
    assert {"IngestJob.state", "RedactionJob.state", "DisposalList.state",
            "ErasureRequest.decision", "Transfer.state", "TransferItem.state"} <= fields
    with translation.override("de"):
        bad = [(name, value) for name, value, label in statuses
               if not str(label).strip() or str(label) == str(value)]
    assert bad == []


def test_labels_are_german_and_not_the_code():
    with translation.override("de"):
        for table in (labels.EVENT_ACTIONS, labels.ERROR_CODES, labels.OBJECT_TYPES):
            for key, label in table.items():
                assert str(label) and str(label) != key, key
        assert labels.event_label("viewed") == "angesehen"
        assert labels.error_label("TOO_MANY_PAGES") == "zu viele Seiten"
        assert labels.object_type_label("case_file") == "Akte"
        assert labels.error_label("SOMETHING_NEW") == "Fehler SOMETHING_NEW"


def _catalog(path: Path) -> dict:
    with path.open("rb") as handle:
        return gettext.GNUTranslations(handle)._catalog


def test_english_is_shipped_for_every_label_and_status():
    catalog = _catalog(LOCALE / "django.mo")
    with translation.override("de"):
        german = [str(label) for table in (labels.EVENT_ACTIONS, labels.ERROR_CODES,
                                           labels.OBJECT_TYPES, labels.CHANNELS,
                                           labels.REPORT_KINDS, labels.RESIDUAL_FIELDS)
                  for label in table.values()]
        german += [str(label) for _, _, label in _statuses()]
    missing = sorted({msgid for msgid in german if not catalog.get(msgid)})
    assert missing == []


def test_switching_to_english_shows_english_labels():
    with translation.override("en"):
        assert labels.event_label("viewed") == "viewed"
        assert labels.event_label("break_glass") == "break-glass access opened"
        assert labels.error_label("TOO_MANY_PAGES") == "too many pages"
    with translation.override("de"):
        assert labels.event_label("viewed") == "angesehen"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is not installed")
def test_the_committed_mo_is_compiled_from_the_po(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(LOCALE / "django.po")], check=True)
    assert _catalog(compiled) == _catalog(LOCALE / "django.mo")


# A date in a form field's value must be ISO (the browser's date input); everywhere else the
# reader sees German day.month.year.
GERMAN_FORMATS = re.compile(r"^(d\.m\.Y|d\.m\.Y H:i|d\.m\.Y H:i:s|H:i|SHORT_DATE_FORMAT|"
                            r"SHORT_DATETIME_FORMAT|DATE_FORMAT|DATETIME_FORMAT)$")


def test_templates_show_dates_in_german_format():
    bad = []
    for template in sorted((ROOT / "web" / "templates").rglob("*.html")):
        text = template.read_text()
        for match in re.finditer(r"""\|date:["']([^"']*)["']""", text):
            before = text[max(0, match.start() - 80):match.start()]
            in_value = re.search(r"""value=["'][^"']*\{\{[^}]*$""", before)
            if not GERMAN_FORMATS.match(match.group(1)) and not in_value:
                bad.append(f"{template.name}: {match.group(0)}")
        # a bare datetime ({{ x.created_at }}) would print ISO and UTC
        bad += [f"{template.name}: {raw}" for raw in re.findall(
            r"\{\{\s*[\w.]+_(?:at|on)\s*\}\}", text)]
    assert bad == []
