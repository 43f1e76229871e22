"""The DPO sees every transfer to the public archive, with what stayed here flagged."""
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from retention.models import Transfer, TransferItem, TransferItemState
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_the_transfer_page_shows_each_file_and_flags_what_the_archive_did_not_take(demo):
    transfer = Transfer.objects.create(process_id=uuid.uuid4(), created_by="datenschutz")
    TransferItem.objects.create(transfer=transfer, case_file=demo["A"],
                                state=TransferItemState.ARCHIVED, archive_reference="StA 4711")
    TransferItem.objects.create(transfer=transfer, case_file=demo["B"],
                                state=TransferItemState.FAILED, note="Datei nicht lesbar")
    client = Client()
    assert client.login(username="datenschutz", password=DEMO_PASSWORD)
    page = client.get(reverse("web:transfers")).content.decode()
    assert str(transfer.process_id) in page
    assert demo["A"].file_reference in page and "StA 4711" in page
    flagged = page.split(demo["B"].file_reference, 1)[1].split("</tr>", 1)[0]
    assert "⚠" in flagged and "Datei nicht lesbar" in flagged
    assert "⚠" not in page.split(demo["A"].file_reference, 1)[1].split("</tr>", 1)[0]
