"""Directory login (LDAP, Active Directory through LDAP): the django-auth-ldap settings built
from plain values, and the maps from directory groups to roles and units. Wiring only: the
settings call it with what the environment says, the tests with the directory they start.
python-ldap and django-auth-ldap are imported only when a directory is configured."""
import json
import tomllib
from pathlib import Path

# The group schemas a city's directory uses; `nested*` follow groups inside groups (AD's
# nested security groups, or groupOfNames that contain groups).
GROUP_TYPES = {
    "groupOfNames": ("GroupOfNamesType", "(objectClass=groupOfNames)"),
    "nestedGroupOfNames": ("NestedGroupOfNamesType", "(objectClass=groupOfNames)"),
    "groupOfUniqueNames": ("GroupOfUniqueNamesType", "(objectClass=groupOfUniqueNames)"),
    "activeDirectory": ("ActiveDirectoryGroupType", "(objectClass=group)"),
    "nestedActiveDirectory": ("NestedActiveDirectoryGroupType", "(objectClass=group)"),
}


def group_map(raw: str) -> dict:
    """A map of group DNs, given inline as a JSON object or as the path of a JSON or TOML
    file. Keys are DNs; they are compared case-insensitively, as directories do."""
    raw = (raw or "").strip()
    if not raw:
        return {}
    if raw.startswith(("{", "[")):
        value = json.loads(raw)
    else:
        path = Path(raw)
        text = path.read_text(encoding="utf-8")
        value = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("a group map is an object of group DN to value")
    return value


def read_secret(value: str, path: str) -> str:
    """A password from the environment or, better, from a file only the service reads."""
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return value


def auth_ldap_settings(*, uri: str, bind_dn: str, bind_password: str, user_base: str,
                       user_filter: str, group_base: str, group_type: str = "groupOfNames",
                       group_filter: str = "", start_tls: bool = False,
                       ca_file: str = "", timeout: int = 10) -> dict:
    """The AUTH_LDAP_* settings of django-auth-ldap. Users are found by a search as the
    service account (bind DN) and then bound as themselves with the password they typed.
    Their attributes are not mirrored by the library: the directory login service copies
    names, role and units itself, in one logged step (web/directory.py)."""
    import django_auth_ldap.config as ldap_config
    import ldap

    if group_type not in GROUP_TYPES:
        raise ValueError(f"unknown directory group type {group_type!r}; one of "
                         f"{', '.join(GROUP_TYPES)}")
    type_name, default_filter = GROUP_TYPES[group_type]
    options = {ldap.OPT_REFERRALS: 0,  # AD answers with referrals python-ldap cannot follow
               ldap.OPT_NETWORK_TIMEOUT: timeout, ldap.OPT_TIMEOUT: timeout}
    global_options = {}
    if ca_file:
        global_options[ldap.OPT_X_TLS_CACERTFILE] = ca_file
        options[ldap.OPT_X_TLS_CACERTFILE] = ca_file
        options[ldap.OPT_X_TLS_NEWCTX] = 0
    return {
        "AUTH_LDAP_SERVER_URI": uri,
        "AUTH_LDAP_BIND_DN": bind_dn,
        "AUTH_LDAP_BIND_PASSWORD": bind_password,
        "AUTH_LDAP_START_TLS": start_tls,
        "AUTH_LDAP_CONNECTION_OPTIONS": options,
        "AUTH_LDAP_GLOBAL_OPTIONS": global_options,
        "AUTH_LDAP_USER_SEARCH": ldap_config.LDAPSearch(user_base, ldap.SCOPE_SUBTREE,
                                                        user_filter),
        "AUTH_LDAP_GROUP_SEARCH": ldap_config.LDAPSearch(group_base or user_base,
                                                         ldap.SCOPE_SUBTREE,
                                                         group_filter or default_filter),
        "AUTH_LDAP_GROUP_TYPE": getattr(ldap_config, type_name)(),
        # Names, role and units are copied by web/directory.py, not by the library.
        "AUTH_LDAP_USER_ATTR_MAP": {},
        "AUTH_LDAP_ALWAYS_UPDATE_USER": False,
        "AUTH_LDAP_MIRROR_GROUPS": False,
        "AUTH_LDAP_FIND_GROUP_PERMS": False,
        # Every login asks the directory again: a removed membership counts at once.
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
    }
