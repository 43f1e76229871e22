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
# A team inside the caseworkers' and unit A's groups: found only when groups nest.
TEAM = f"cn=team-a1,{GROUPS}"

# uid, given name, surname, password
PERSONS = {
    "anna": ("Anna", "Berg", "anna-kennwort-1"),
    "bernd": ("Bernd", "Claus", "bernd-kennwort-2"),
    "carla": ("Carla", "Dorn", "carla-kennwort-3"),
    "dora": ("Dora", "Ebert", "dora-kennwort-4"),
    # The name of a local demo account: the directory must not take it over.
    "sachbearbeitung-a": ("Sara", "Fuchs", "sara-kennwort-5"),
    "erik": ("Erik", "Graf", "erik-kennwort-6"),
}
MEMBERS = {
    TEAM: ["erik"],
    ROLE_CASEWORKER: ["anna", "bernd", "sachbearbeitung-a", TEAM],
    ROLE_ADMIN: ["dora"],
    UNIT_A: ["anna", "sachbearbeitung-a", TEAM],
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
        lines = "\n".join(f"member: {uid if '=' in uid else person_dn(uid)}"
                           for uid in members)
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
    ca_file: str = ""

    def admin(self):
        connection = _connect(self.uri, self.ca_file)
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
                                 start_tls=bool(self.ca_file), ca_file=self.ca_file,
                                 timeout=5),
            "AUTHENTICATION_BACKENDS": ["web.directory.LocalPasswordBackend",
                                        "web.directory.DirectoryBackend"],
            "LDAP_SERVER_URI": self.uri,
            "LDAP_ROLE_MAP": ROLE_MAP,
            "LDAP_UNIT_MAP": UNIT_MAP,
            **overrides,
        }


def _connect(uri: str, ca_file: str = ""):
    import ldap

    connection = ldap.initialize(uri)
    if ca_file:
        connection.set_option(ldap.OPT_X_TLS_CACERTFILE, ca_file)
        connection.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
        connection.start_tls_s()
    return connection


def _wait_ready(uri: str, process: subprocess.Popen, log: Path, ca_file: str = "") -> None:
    import ldap

    deadline = time.monotonic() + 5
    while True:
        try:
            connection = _connect(uri, ca_file)
            connection.simple_bind_s(ROOT_DN, ROOT_PASSWORD)
            connection.unbind_s()
            return
        except ldap.SERVER_DOWN:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"slapd did not start: {log.read_text()[-2000:]}") from None
            time.sleep(0.05)


def _certificates(folder: Path) -> dict[str, Path]:
    """A test CA and a server certificate for 127.0.0.1 signed by it (PEM files)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.UTC)

    def issue(subject, issuer, key, signer, *, ca: bool):
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(now + datetime.timedelta(days=1))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if not ca:
            builder = builder.add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        return builder.sign(signer, hashes.SHA256())

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(
        ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Musterstadt Test-CA")])
    server_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    ca = issue(ca_name, ca_name, ca_key, ca_key, ca=True)
    server = issue(server_name, ca_name, server_key, ca_key, ca=False)
    paths = {"ca": folder / "ca.pem", "cert": folder / "server.pem", "key": folder / "key.pem"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(server.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(server_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    return paths


def _start(tmp_path: Path, *, tls: bool):
    slapd = _slapd()
    if slapd is None:
        pytest.skip("slapd is not installed (Debian: apt-get install slapd ldap-utils, or "
                    "scripts/ensure-system-packages --test)")
    folder = tmp_path / "slapd"
    (folder / "db").mkdir(parents=True)
    conf = folder / "slapd.conf"
    text = _conf(folder)
    ca_file = ""
    if tls:
        paths = _certificates(folder)
        ca_file = str(paths["ca"])
        # Every operation needs TLS: a login that did not StartTLS is refused.
        text = (f"TLSCACertificateFile {paths['ca']}\nTLSCertificateFile {paths['cert']}\n"
                f"TLSCertificateKeyFile {paths['key']}\n" + text + "security tls=1\n")
    conf.write_text(text)
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
        _wait_ready(uri, process, log, ca_file)
        yield Directory(uri=uri, ca_file=ca_file)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def directory(tmp_path):
    yield from _start(tmp_path, tls=False)


@pytest.fixture
def directory_tls(tmp_path):
    """The same directory, which answers only over StartTLS with a certificate of a test CA."""
    yield from _start(tmp_path, tls=True)

@pytest.fixture
def ldap_settings(settings, directory):
    """This Registratur signs in against the test directory (and locally)."""
    for key, value in directory.settings(LDAP_RECHECK_SECONDS=300).items():
        setattr(settings, key, value)
    return settings


@pytest.fixture
def oidc_provider(tmp_path):
    """A real OpenID provider (npm oidc-provider under Node.js; tests/identity/oidc.py)."""
    from .oidc import start_provider

    yield from start_provider(tmp_path)


@pytest.fixture
def oidc_on(settings, oidc_provider):
    """This Registratur offers the login through the test provider (and the local one)."""
    for key, value in oidc_provider.settings().items():
        setattr(settings, key, value)
    return settings
