"""A real OpenLDAP server (Debian's slapd) for the directory-login tests: started on a free
port of 127.0.0.1 from a generated slapd.conf, with the mdb backend, the ppolicy overlay (so
that an account can be locked as a city's directory locks it) and the test entries loaded by
slapadd before it starts. Each test gets a fresh directory; starting one takes well under a
second. Skipped only when slapd is not installed (`scripts/ensure-system-packages --test`
installs it, and so does CI)."""
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

SUFFIX = "dc=musterstadt,dc=example"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "verzeichnis-geheim-1"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
# The service account Registratur searches with (read-only, as a city would give it).
SERVICE_DN = f"cn=registratur,ou=services,{SUFFIX}"
SERVICE_PASSWORD = "dienstkonto-kennwort-7"

ROLE_CASEWORKER = f"cn=registratur-sachbearbeitung,{GROUPS}"
ROLE_ADMIN = f"cn=registratur-administration,{GROUPS}"
UNIT_A = f"cn=sachgebiet-a,{GROUPS}"
UNIT_B = f"cn=sachgebiet-b,{GROUPS}"
UNMAPPED = f"cn=kantine,{GROUPS}"

# uid, given name, surname, password
PERSONS = {
    "anna": ("Anna", "Berg", "anna-kennwort-1"),
    "bernd": ("Bernd", "Claus", "bernd-kennwort-2"),
    "carla": ("Carla", "Dorn", "carla-kennwort-3"),
    "dora": ("Dora", "Ebert", "dora-kennwort-4"),
    # The name of a local demo account: the directory must not take it over.
    "sachbearbeitung-a": ("Sara", "Fuchs", "sara-kennwort-5"),
}
MEMBERS = {
    ROLE_CASEWORKER: ["anna", "bernd", "sachbearbeitung-a"],
    ROLE_ADMIN: ["dora"],
    UNIT_A: ["anna", "sachbearbeitung-a"],
    UNIT_B: ["bernd"],
    UNMAPPED: ["carla", "anna"],
}
ROLE_MAP = {ROLE_ADMIN: "administrator", ROLE_CASEWORKER: "caseworker"}
# Written with spaces and capitals, as people copy DNs from their tools.
UNIT_MAP = {UNIT_A.replace(",", ", ").upper(): "A", UNIT_B: ["B"]}


def person_dn(uid: str) -> str:
    return f"uid={uid},{PEOPLE}"


def _slapd() -> str | None:
    return shutil.which("slapd") or next(
        (path for path in ("/usr/sbin/slapd",) if os.access(path, os.X_OK)), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ldif() -> str:
    entries = [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Musterstadt\n"
        "dc: musterstadt",
        *(f"dn: ou={ou},{SUFFIX}\nobjectClass: organizationalUnit\nou: {ou}"
          for ou in ("people", "groups", "services", "policies")),
        # ppolicy enforces pwdAccountLockedTime only under a policy.
        f"dn: cn=default,ou=policies,{SUFFIX}\nobjectClass: organizationalRole\n"
        "objectClass: pwdPolicy\ncn: default\npwdAttribute: userPassword\npwdLockout: TRUE",
        f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n"
        f"cn: registratur\nuserPassword: {SERVICE_PASSWORD}",
    ]
    for uid, (given, surname, password) in PERSONS.items():
        entries.append(
            f"dn: {person_dn(uid)}\nobjectClass: inetOrgPerson\nuid: {uid}\n"
            f"cn: {given} {surname}\ngivenName: {given}\nsn: {surname}\n"
            f"mail: {uid}@musterstadt.example\nuserPassword: {password}")
    for group, members in MEMBERS.items():
        cn = group.split(",")[0].split("=")[1]
        lines = "\n".join(f"member: {person_dn(uid)}" for uid in members)
        entries.append(f"dn: {group}\nobjectClass: groupOfNames\ncn: {cn}\n{lines}")
    return "\n\n".join(entries) + "\n"


def _conf(folder: Path) -> str:
    return f"""include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
pidfile {folder}/slapd.pid
database mdb
maxsize 10485760
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PASSWORD}
directory {folder}/db
overlay ppolicy
ppolicy_default "cn=default,ou=policies,{SUFFIX}"
access to attrs=userPassword by anonymous auth by * none
access to * by users read by * none
"""


@dataclass
class Directory:
    uri: str

    def admin(self):
        import ldap

        connection = ldap.initialize(self.uri)
        connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
        return connection

    def modify(self, dn: str, changes: list) -> None:
        connection = self.admin()
        try:
            connection.modify_s(dn, changes)
        finally:
            connection.unbind_s()

    def remove_member(self, group: str, uid: str) -> None:
        import ldap

        self.modify(group, [(ldap.MOD_DELETE, "member", [person_dn(uid).encode()])])

    def add_member(self, group: str, uid: str) -> None:
        import ldap

        self.modify(group, [(ldap.MOD_ADD, "member", [person_dn(uid).encode()])])

    def lock(self, uid: str) -> None:
        """Locks the account as ppolicy does after too many failures or as an
        administrator does by hand: 000001010000Z means locked until unlocked."""
        import ldap

        self.modify(person_dn(uid),
                    [(ldap.MOD_ADD, "pwdAccountLockedTime", [b"000001010000Z"])])

    def settings(self, **overrides) -> dict:
        """The Django settings of a Registratur that signs in against this directory."""
        from config.directory import auth_ldap_settings

        return {
            **auth_ldap_settings(uri=self.uri, bind_dn=SERVICE_DN,
                                 bind_password=SERVICE_PASSWORD, user_base=PEOPLE,
                                 user_filter="(uid=%(user)s)", group_base=GROUPS,
                                 timeout=5),
            "AUTHENTICATION_BACKENDS": ["web.directory.LocalPasswordBackend",
                                        "web.directory.DirectoryBackend"],
            "LDAP_SERVER_URI": self.uri,
            "LDAP_ROLE_MAP": ROLE_MAP,
            "LDAP_UNIT_MAP": UNIT_MAP,
            **overrides,
        }


def _wait_ready(uri: str, process: subprocess.Popen, log: Path) -> None:
    import ldap

    deadline = time.monotonic() + 5
    while True:
        try:
            connection = ldap.initialize(uri)
            connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
            connection.unbind_s()
            return
        except ldap.SERVER_DOWN:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"slapd did not start: {log.read_text()[-2000:]}") from None
            time.sleep(0.05)


@pytest.fixture
def directory(tmp_path):
    slapd = _slapd()
    if slapd is None:
        pytest.skip("slapd is not installed (Debian: apt-get install slapd ldap-utils, or "
                    "scripts/ensure-system-packages --test)")
    folder = tmp_path / "slapd"
    (folder / "db").mkdir(parents=True)
    conf = folder / "slapd.conf"
    conf.write_text(_conf(folder))
    ldif = folder / "entries.ldif"
    ldif.write_text(_ldif())
    subprocess.run([str(Path(slapd).with_name("slapadd")), "-q", "-f", str(conf),
                    "-l", str(ldif)], check=True, capture_output=True, timeout=30)
    uri = f"ldap://127.0.0.1:{_free_port()}/"
    log = folder / "slapd.log"
    with log.open("wb") as out:
        # -d keeps it in the foreground, so that the test owns the process.
        process = subprocess.Popen([slapd, "-f", str(conf), "-h", uri, "-d", "0"],
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(uri, process, log)
        yield Directory(uri=uri)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def ldap_settings(settings, directory):
    """This Registratur signs in against the test directory (and locally)."""
    for key, value in directory.settings(LDAP_RECHECK_SECONDS=300).items():
        setattr(settings, key, value)
    return settings
