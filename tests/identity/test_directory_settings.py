"""The directory login's configuration: off by default, on with REGISTRATUR_LDAP_URI, the
service account's password read from a file, and group maps given inline or as a file."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.directory import group_map, read_secret

ROOT = Path(__file__).resolve().parent.parent.parent
SHOW = ("from django.conf import settings as s; import json; print(json.dumps({"
        "'backends': s.AUTHENTICATION_BACKENDS, 'uri': getattr(s, 'AUTH_LDAP_SERVER_URI', None),"
        "'password': getattr(s, 'AUTH_LDAP_BIND_PASSWORD', None),"
        "'filter': getattr(s, 'AUTH_LDAP_USER_SEARCH', None) and s.AUTH_LDAP_USER_SEARCH.filterstr,"
        "'group_type': type(getattr(s, 'AUTH_LDAP_GROUP_TYPE', None)).__name__,"
        "'roles': s.LDAP_ROLE_MAP, 'units': s.LDAP_UNIT_MAP,"
        "'middleware': 'web.login.DirectorySessionMiddleware' in s.MIDDLEWARE}))")


def _settings(tmp_path, **env) -> dict:
    child = {key: value for key, value in os.environ.items()
             if not key.startswith("REGISTRATUR_") and key != "DJANGO_SETTINGS_MODULE"}
    child.update({"PYTHONPATH": str(ROOT), "REGISTRATUR_DATA_DIR": str(tmp_path / "data"),
                  "DJANGO_SETTINGS_MODULE": "config.settings", **env})
    result = subprocess.run([sys.executable, "-c", "import django; django.setup(); " + SHOW],
                            env=child, capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_directory_login_is_off_by_default(tmp_path):
    shown = _settings(tmp_path)
    # axes first: lockouts hold for both ways of signing in.
    assert shown["backends"] == ["axes.backends.AxesStandaloneBackend",
                                 "web.directory.LocalPasswordBackend"]
    assert shown["uri"] is None and shown["middleware"]


def test_an_active_directory_configuration(tmp_path):
    secret = tmp_path / "ldap-password"
    secret.write_text("dienst-geheim\n")
    roles = tmp_path / "roles.toml"
    roles.write_text('"CN=Registratur-Admins,OU=Gruppen,DC=stadt,DC=local" = "administrator"\n')
    shown = _settings(
        tmp_path, REGISTRATUR_LDAP_URI="ldaps://dc1.stadt.local",
        REGISTRATUR_LDAP_BIND_DN="CN=svc,DC=stadt,DC=local",
        REGISTRATUR_LDAP_BIND_PASSWORD_FILE=str(secret),
        REGISTRATUR_LDAP_USER_BASE="DC=stadt,DC=local",
        REGISTRATUR_LDAP_USER_FILTER="(sAMAccountName=%(user)s)",
        REGISTRATUR_LDAP_GROUP_TYPE="nestedActiveDirectory",
        REGISTRATUR_LDAP_ROLE_MAP=str(roles),
        REGISTRATUR_LDAP_UNIT_MAP='{"CN=SG-50,OU=Gruppen,DC=stadt,DC=local": ["A", "B"]}')
    assert shown["backends"] == ["axes.backends.AxesStandaloneBackend",
                                 "web.directory.LocalPasswordBackend",
                                 "web.directory.DirectoryBackend"]
    assert shown["uri"] == "ldaps://dc1.stadt.local"
    assert shown["password"] == "dienst-geheim"
    assert shown["filter"] == "(sAMAccountName=%(user)s)"
    assert shown["group_type"] == "NestedActiveDirectoryGroupType"
    assert shown["roles"] == {"CN=Registratur-Admins,OU=Gruppen,DC=stadt,DC=local":
                              "administrator"}
    assert shown["units"] == {"CN=SG-50,OU=Gruppen,DC=stadt,DC=local": ["A", "B"]}


def test_group_maps_and_secrets(tmp_path):
    as_json = tmp_path / "units.json"
    as_json.write_text('{"cn=a,dc=x": "A"}')
    assert group_map(str(as_json)) == {"cn=a,dc=x": "A"}
    assert group_map("") == {}
    with pytest.raises(ValueError):
        group_map("[1, 2]")
    assert read_secret("from-env", "") == "from-env"
