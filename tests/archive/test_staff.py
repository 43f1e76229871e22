from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archive.models import Event
from tests.conftest import user

pytestmark = pytest.mark.django_db


def test_staff_command_sets_role_units_clearance_and_permissions(demo, monkeypatch):
    monkeypatch.setenv("NEW_PASSWORD", "ein-langes-kennwort")
    call_command("staff", "set", "leitung-a", "--role", "caseworker", "--units", "A",
                 "--clearance", "2", "--grant", "reopen_casefile,share_casefile",
                 "--password-env", "NEW_PASSWORD", stdout=StringIO())
    lead = user("leitung-a")
    assert lead.check_password("ein-langes-kennwort")
    assert lead.staff_profile.clearance == 2
    assert list(lead.staff_profile.units.values_list("code", flat=True)) == ["A"]
    assert lead.has_perm("archive.reopen_casefile") and lead.has_perm("archive.share_casefile")
    call_command("staff", "set", "leitung-a", "--clearance", "0", "--revoke", "share_casefile",
                 stdout=StringIO())
    changed = Event.objects.filter(object_type="staff", action="changed").get()
    assert changed.data["changes"]["clearance"] == [2, 0]
    assert user("leitung-a").has_perm("archive.share_casefile") is False


def test_staff_command_refuses_unknown_roles_and_permissions(demo):
    with pytest.raises(CommandError):
        call_command("staff", "set", "x", "--role", "chef", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("staff", "set", "sachbearbeitung-a", "--grant", "alles", stdout=StringIO())
