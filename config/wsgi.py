import os
import sys

from django.core.wsgi import get_wsgi_application

from config.env import ensure_data_dir
from web.gc_freeze import long_lived_frozen

# An external WSGI server is an entry point of its own, like `registratur`.
os.umask(0o077)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
ensure_data_dir()
application = long_lived_frozen(get_wsgi_application())

from config.checks import register, warn_data_dir_permissions  # noqa: E402

register()
warn_data_dir_permissions(sys.stderr)
