"""Zeichnungsrecht: a permission on the archive's StaffProfile, like the others the
administration grants (archive.services.staff.APP_PERMISSIONS). The kernel adds no migration
for it, so this app creates it: in its migration, and after every migrate (a test database's
flush removes what a migration created; Django recreates only Meta permissions)."""
from archive.services.staff import APP_PERMISSIONS

CODENAME = "sign_off"


def sign_off_permission_ensure(apps=None, *_args, **_kwargs) -> None:
    if apps is None:
        from django.apps import apps
    try:
        content_type_model = apps.get_model("contenttypes", "ContentType")
        permission_model = apps.get_model("auth", "Permission")
    except LookupError:
        return
    content_type, _ = content_type_model.objects.get_or_create(app_label="archive",
                                                               model="staffprofile")
    permission_model.objects.get_or_create(content_type=content_type, codename=CODENAME,
                                           defaults={"name": APP_PERMISSIONS[CODENAME]})


def after_migrate(sender, *, apps=None, using="default", **_):
    """post_migrate receiver (connected for this app's config only)."""
    sign_off_permission_ensure(apps)
