"""The web processes keep their start-up objects out of the garbage collector's full
collections (web/gc_freeze.py), so that a collection does not stall every page in flight."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, sys
import config.wsgi
print(gc.get_freeze_count(), int("web.views.documents" in sys.modules))
"""


def test_the_wsgi_application_freezes_what_start_up_made(tmp_path):
    env = {**os.environ, "REGISTRATUR_DATA_DIR": str(tmp_path / "data"),
           "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(ROOT)}
    env.pop("REGISTRATUR_DATABASE_URL", None)
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120, check=True)
    frozen, views_loaded = done.stdout.split()
    # Django, the views and the libraries: far more than a bare interpreter's few thousand.
    assert int(frozen) > 50_000
    assert views_loaded == "1"  # the URL configuration was loaded before the freeze
