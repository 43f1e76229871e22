"""The review page says how many confirmed examples each type still needs before the learned
classifier takes it over from the rules (issue 11, point 9)."""
import re

from django.test import Client

from ingest.classification.training_data import min_examples_per_type
from tests.conftest import DEMO_PASSWORD


def test_a_fresh_instance_names_the_examples_each_type_still_needs(demo):
    client = Client()
    assert client.login(username="poststelle", password=DEMO_PASSWORD)
    page = client.get("/posteingang/pruefen/").content.decode()
    section = re.search(r'<ul id="examples-needed">(.*?)</ul>', page, re.S)
    assert section, "the review page lists no learning state"
    need = min_examples_per_type()
    # No post has been confirmed yet: every active type needs the full number.
    assert f"Antrag: noch {need} Beispiele" in section.group(1)
    assert f"Vollmacht: noch {need} Beispiele" in section.group(1)
