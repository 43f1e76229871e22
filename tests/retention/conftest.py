import pytest

from retention.models import RetentionSchedule
from tests.archive.helpers import staff


@pytest.fixture
def schedules(demo):
    """The shipped defaults (a flush in another test may have removed them)."""
    values = [
        ("SGB-10J-ZDA", "closed", 10, True, "destroy"),
        ("SGB-10J-ZDA-ANBIETEN", "closed", 10, True, "offer"),
    ]
    for key, trigger, years, cutoff, action in values:
        RetentionSchedule.objects.get_or_create(key=key, defaults=dict(
            name=key, trigger=trigger, years=years, year_end_cutoff=cutoff, action=action,
            legal_basis="§ 84 SGB X"))
    staff("datenschutz-2", role="data_protection")
    return demo
