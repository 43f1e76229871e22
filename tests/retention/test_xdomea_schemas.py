"""The official xdomea 3.0.0 schemas ship with the package, unchanged, with their source and
licence; every message is validated against them, and one that cannot be validated, for want of
schemas or for a violation, is refused and nothing is written."""
import hashlib
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from lxml import etree

from archive.actors import actor_for_user as acting
from archive.errors import Conflict, InvalidInput
from retention.models import Transfer
from retention.services.transfer import transfer_offer
from retention.xdomea import codes, messages
from retention.xdomea.parse import message_parse
from retention.xdomea.schema import SHIPPED_DIR
from tests.conftest import user

from .xdomea_helpers import SHARED, SHIPPED, assert_valid, close_long_ago

X = f"{{{codes.NS}}}"


def _listed() -> dict[str, str]:
    lines = (SHIPPED / "SHA256SUMS").read_text().splitlines()
    return {name: digest for digest, name in (line.split("  ", 1) for line in lines)}


def test_the_shipped_files_are_the_listed_ones_byte_for_byte():
    shipped = {str(p.relative_to(SHIPPED)) for p in SHIPPED.rglob("*")
               if p.is_file() and p.name not in ("README.md", "SHA256SUMS")}
    listed = _listed()
    assert shipped == set(listed)
    assert len([n for n in listed if n.startswith("3.0.0/") and n.endswith(".xsd")]) == 20
    for name, digest in listed.items():
        assert hashlib.sha256((SHIPPED / name).read_bytes()).hexdigest() == digest, name
    notice = (SHIPPED / "README.md").read_text()
    for needed in ("3.0.0", "KoSIT", "frei von Rechten Dritter", "xrepository.de",
                   "Landesarchiv-Thueringen/x-man"):
        assert needed in notice


@pytest.mark.skipif(not (SHARED / "MANIFEST.txt").is_file(), reason="../shared/xdomea absent")
def test_the_shipped_files_are_the_official_ones():
    """Against the provenance list of the copies they were taken from."""
    manifest = {parts[1]: parts[0] for parts in (
        line.split() for line in (SHARED / "MANIFEST.txt").read_text().splitlines())
        if len(parts) >= 2}
    for name, digest in _listed().items():
        assert manifest[name] == digest, name


def test_by_default_the_shipped_schemas_are_used_and_they_compile():
    assert Path(settings.XDOMEA_SCHEMA_DIR).resolve() == SHIPPED_DIR
    assert not str(SHIPPED_DIR).startswith(str(SHARED))
    etree.XMLSchema(etree.parse(str(SHIPPED_DIR / "xdomea.xsd")))  # the umbrella, imports too


@pytest.mark.django_db
def test_with_the_default_settings_an_offer_is_written_and_valid(schedules, tmp_path):
    close_long_ago(schedules["B"], "sachbearbeitung-b")
    transfer, path = transfer_offer(actor=acting(user("datenschutz")), out_dir=tmp_path)
    tree = assert_valid(etree.parse(str(path)))  # lxml directly, not the code under test
    assert tree.getroot().tag == f"{X}{codes.MESSAGES['0501']}"


@pytest.mark.django_db
def test_without_schemas_nothing_is_offered_and_nothing_written(schedules, tmp_path, settings):
    settings.XDOMEA_SCHEMA_DIR = tmp_path / "gibt-es-nicht"
    close_long_ago(schedules["B"], "sachbearbeitung-b")
    out_dir = tmp_path / "out"
    with pytest.raises(Conflict) as refused:
        transfer_offer(actor=acting(user("datenschutz")), out_dir=out_dir)
    assert refused.value.code == "XDOMEA_SCHEMA_MISSING"
    assert str(tmp_path) not in refused.value.message  # no internal path for the user
    assert not out_dir.exists() and not Transfer.objects.exists()
    with pytest.raises(CommandError, match="XDOMEA_SCHEMA_MISSING"):
        call_command("disposal", "offer", "--out", str(out_dir), "--user", "datenschutz",
                     stdout=StringIO())
    assert not out_dir.exists()


def test_without_schemas_nothing_is_read(tmp_path, settings):
    settings.XDOMEA_SCHEMA_DIR = tmp_path
    with pytest.raises(Conflict) as refused:
        message_parse(f'<x:{codes.MESSAGES["0502"]} xmlns:x="{codes.NS}"/>'.encode())
    assert refused.value.code == "XDOMEA_SCHEMA_MISSING"


@pytest.mark.django_db
def test_an_invalid_message_is_refused_and_nothing_written(schedules, tmp_path, monkeypatch):
    real = messages.offer_list

    def without_header(*args, **kwargs):
        tree = real(*args, **kwargs)
        tree.getroot().remove(tree.getroot().find(f"{X}Kopf"))
        return tree

    monkeypatch.setattr(messages, "offer_list", without_header)
    close_long_ago(schedules["B"], "sachbearbeitung-b")
    with pytest.raises(InvalidInput) as refused:
        transfer_offer(actor=acting(user("datenschutz")), out_dir=tmp_path / "out")
    assert refused.value.code == "XDOMEA_SCHEMA_INVALID"
    assert not (tmp_path / "out").exists() and not Transfer.objects.exists()


def test_the_system_check_warns_when_the_schemas_cannot_be_loaded(tmp_path, settings):
    from django.core.checks import run_checks

    assert not [c for c in run_checks() if c.id == "retention.W001"]
    settings.XDOMEA_SCHEMA_DIR = tmp_path / "gibt-es-nicht"
    [warning] = [c for c in run_checks() if c.id == "retention.W001"]
    assert "XDOMEA_SCHEMA_DIR" in warning.hint and str(tmp_path) not in warning.msg
