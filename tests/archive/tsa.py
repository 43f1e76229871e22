"""A real RFC 3161 time-stamping authority for the tests: `openssl ts -reply` behind a small
HTTP server on 127.0.0.1, signing with a TSA certificate issued by a test CA made here."""
import datetime
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CONFIG = """\
[ tsa ]
default_tsa = tsa_config1

[ tsa_config1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/ca.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Registratur Test")])


def _certificate(subject, issuer, public, signer, *, ca: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(public).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1))
               .not_valid_after(now + datetime.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
    else:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return builder.sign(signer, hashes.SHA256())


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


@dataclass
class LocalTsa:
    url: str
    ca_file: Path
    directory: Path
    requests: int = 0
    down: bool = False  # answer 503, as an authority in maintenance would


def _handler(tsa: LocalTsa):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server interface
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if tsa.down:
                self.send_response(503)
                self.end_headers()
                return
            with tempfile.TemporaryDirectory(dir=tsa.directory) as work:
                query, reply = Path(work) / "q.tsq", Path(work) / "r.tsr"
                query.write_bytes(body)
                done = subprocess.run(
                    ["openssl", "ts", "-reply", "-config", str(tsa.directory / "tsa.cnf"),
                     "-queryfile", str(query), "-out", str(reply)],
                    capture_output=True, check=False)
                if done.returncode:
                    self.send_response(500)
                    self.end_headers()
                    return
                answer = reply.read_bytes()
            tsa.requests += 1
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    return Handler


def tsa_start(directory: Path):
    """Create the CA and TSA keys, write openssl's configuration, serve; returns the TSA and
    the server (call server.shutdown() when done)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate(_name("Test-Wurzel-CA"), _name("Test-Wurzel-CA"), ca_key.public_key(),
                      ca_key, ca=True)
    tsa_key = ec.generate_private_key(ec.SECP256R1())
    tsa_cert = _certificate(_name("Test-Zeitstempeldienst"), ca.subject, tsa_key.public_key(),
                            ca_key, ca=False)
    (directory / "ca.pem").write_bytes(_pem(ca))
    (directory / "tsa.pem").write_bytes(_pem(tsa_cert))
    (directory / "tsa.key").write_bytes(tsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    (directory / "serial").write_text("01\n")
    (directory / "tsa.cnf").write_text(CONFIG.format(dir=directory))
    tsa = LocalTsa(url="", ca_file=directory / "ca.pem", directory=directory)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(tsa))
    tsa.url = f"http://127.0.0.1:{server.server_address[1]}/tsa"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return tsa, server
