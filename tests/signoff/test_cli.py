"""`registratur signoff`: the units' signing limits, set by an administrator or the operator."""
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archive.models import Event
from signoff.models import SigningLimit

pytestmark = pytest.mark.django_db


def _cli(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_limits_are_set_listed_and_removed(people):
    _cli("signoff", "limit", "A", "1500", "--user", "admin")
    _cli("signoff", "limit", "A", "25000,50", "--for", "leitung-a")  # the operator
    listed = [json.loads(line) for line in _cli("signoff", "limits", "--json").splitlines()]
    assert listed == [{"unit": "A", "user": None, "max_amount": "1500.00"},
                      {"unit": "A", "user": "leitung-a", "max_amount": "25000.50"}]
    _cli("signoff", "limit", "A", "-", "--user", "admin")
    assert list(SigningLimit.objects.values_list("user__username", flat=True)) == ["leitung-a"]
    events = Event.objects.filter(action="signing_limit_set").order_by("seq")
    assert [e.data["via"]["channel"] for e in events] == ["cli", "cli", "cli"]
    assert [e.actor for e in events] == ["admin", "cli", "admin"]


@pytest.mark.parametrize("username", ["sachbearbeitung-a", "leitung-a", "datenschutz"])
def test_others_may_not_set_a_limit(people, username):
    with pytest.raises(CommandError):
        _cli("signoff", "limit", "A", "999999", "--user", username)
    assert not SigningLimit.objects.exists()
