"""Vertretung: during an absence the deputy's desk shows the absent colleague's items, read
through the normal access rules and opened with the purpose "Vertretung für …"; after it,
nothing of the colleague's."""
import json
from datetime import timedelta
from io import StringIO
from urllib.parse import unquote_plus

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from archive.actors import actor_for_user
from archive.errors import InvalidInput
from archive.models import Event
from desk.selectors import desk_collect
from desk.services.deputies import absence_add, deputy_add
from tests.archive.helpers import file_document
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def _away(person, start_days: int, end_days: int):
    today = timezone.localdate()
    absence_add(actor=actor_for_user(person), starts_on=today + timedelta(days=start_days),
                ends_on=today + timedelta(days=end_days))


def test_the_deputy_sees_the_absent_colleagues_post_and_opens_it_as_deputy(team):
    document = file_document(team["A"], title="Antrag auf Mehrbedarf")
    deputy_add(actor=actor_for_user(team["a"]), username="kollegin-a")
    assert desk_collect(team["colleague"]).total == 0  # named, but not absent yet
    _away(team["a"], -1, 2)

    desk = desk_collect(team["colleague"])
    items = [item for section in desk.own for item in section.items]
    assert [item.entry.key for item in items] == [f"new_post:{document.pk}"]
    assert items[0].deputising_for == "sachbearbeitung-a"
    assert desk.scope.deputising_for == {team["a"].pk: "sachbearbeitung-a"}
    assert "zweck=" in items[0].url

    client = Client()
    assert client.login(username="kollegin-a", password="x" * 12)
    assert client.get(items[0].url).status_code == 200
    opened = Event.objects.filter(action="viewed", object_type="document",
                                  object_id=str(document.pk)).order_by("-seq").first()
    assert opened.actor == "kollegin-a"
    assert opened.clear_purpose == "Vertretung für sachbearbeitung-a"
    assert "Vertretung für sachbearbeitung-a" in unquote_plus(items[0].url)


def test_after_the_absence_nothing_of_the_colleagues_remains(team):
    file_document(team["A"], title="Antrag auf Mehrbedarf")
    deputy_add(actor=actor_for_user(team["a"]), username="kollegin-a")
    _away(team["a"], -5, -1)
    desk = desk_collect(team["colleague"])
    assert desk.total == 0 and desk.scope.deputising_for == {}
    # And a future absence has not started yet.
    _away(team["a"], 1, 3)
    assert desk_collect(team["colleague"]).total == 0


def test_a_deputy_of_another_unit_gains_no_reading(team):
    file_document(team["A"], title="Nur für A")
    deputy_add(actor=actor_for_user(team["a"]), username="sachbearbeitung-b")
    _away(team["a"], 0, 0)
    desk = desk_collect(team["b"])
    assert desk.scope.deputising_for == {team["a"].pk: "sachbearbeitung-a"}
    assert desk.total == 0


def test_deputies_and_absences_are_logged_and_checked(team):
    before = Event.objects.count()
    deputy_add(actor=actor_for_user(team["a"]), username="kollegin-a")
    _away(team["a"], 0, 1)
    assert [e.action for e in Event.objects.filter(seq__gt=before)] == [
        "deputy_named", "absence_recorded"]
    with pytest.raises(InvalidInput):
        deputy_add(actor=actor_for_user(team["a"]), username="sachbearbeitung-a")
    with pytest.raises(InvalidInput):
        _away(team["a"], 3, 1)


def _desk_json(username):
    out = StringIO()
    call_command("desk", "--user", username, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_the_command_line_prints_the_same_list(team, client):
    document = file_document(team["A"], title="Antrag auf Mehrbedarf")
    printed = _desk_json("sachbearbeitung-a")
    assert printed["count"] == desk_collect(team["a"]).total == 1
    new_post = next(s for s in printed["sections"] if s["kind"] == "new_post" and not s["shared"])
    assert [(i["key"], i["title"], i["document"]) for i in new_post["items"]] == [
        (f"new_post:{document.pk}", "Antrag auf Mehrbedarf", document.pk)]
    assert Event.objects.filter(action="listed", object_type="desk",
                                object_id="sachbearbeitung-a").exists()
    other = _desk_json("sachbearbeitung-b")
    assert other["count"] == 0
    assert all(section["items"] == [] for section in other["sections"])
    with pytest.raises(CommandError):
        call_command("desk", "--user", "niemand", "--json", stdout=StringIO())
    assert DEMO_PASSWORD
