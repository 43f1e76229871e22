"""Zeichnungsrecht: a permission on the archive's StaffProfile, like the others the
administration grants (archive.services.staff.APP_PERMISSIONS)."""
from archive.services.staff import app_permission_ensure

CODENAME = "sign_off"


def sign_off_permission_ensure(apps=None, *_args, **_kwargs) -> None:
    app_permission_ensure(CODENAME, apps)


def after_migrate(sender, *, apps=None, using="default", **_):
    """post_migrate receiver (connected for this app's config only)."""
    sign_off_permission_ensure(apps)
