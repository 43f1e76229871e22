"""The unit lead's view of the unit's deadlines: a permission on the archive's StaffProfile,
like the others the administration grants (archive.services.staff.APP_PERMISSIONS)."""
from archive.services.staff import app_permission_ensure

CODENAME = "view_unit_deadlines"


def unit_deadlines_permission_ensure(apps=None, *_args, **_kwargs) -> None:
    app_permission_ensure(CODENAME, apps)


def after_migrate(sender, *, apps=None, using="default", **_):
    """post_migrate receiver (connected for this app's config only)."""
    unit_deadlines_permission_ensure(apps)
