"""PDF/A that is checked, not claimed: a file's PDF/A claim (its XMP identification) is
verified with pikepdf's allowlist validator, `pikepdf.pdfa` (see docs/design.md, "PDF/A
validation"). The validator approves a file only if every construct in it is one it knows to
conform; what it does not recognise it reports, so a denial may be a false alarm, an approval
should never be.

The verdict is one of three:

- "pass": the file claims PDF/A part 1, 2 or 3 at level B and the validator found nothing;
- "fail": the file breaks PDF/A, claims no PDF/A at all, or cannot be read as a PDF;
- "not_checked": the file claims PDF/A but holds constructs the validator does not check (or
  claims a part or level it cannot check, such as PDF/A-4 or level A/U); it may be valid, but
  nobody has shown it.

Only "pass" lets the archive call a file PDF/A. Checking never raises on a bad file."""
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pikepdf

log = logging.getLogger(__name__)

PASS, FAIL, NOT_CHECKED = "pass", "fail", "not_checked"
MAX_FINDINGS = 20  # what a version keeps; the count says how many there were
FLAVOUR_OF_PART = {"1": "1b", "2": "2b", "3": "3b"}
NO_CLAIM = "registratur:no-claim"


@dataclass(frozen=True)
class PdfaVerdict:
    status: str  # PASS, FAIL or NOT_CHECKED
    findings: tuple[str, ...] = field(default_factory=tuple)
    claimed: str = ""  # the XMP claim as read, e.g. "2B"; empty when none

    @property
    def passed(self) -> bool:
        return self.status == PASS

    def as_data(self) -> dict:
        """The verdict as a trail entry records it (JSON)."""
        return {"check": self.status, **({"findings": list(self.findings)}
                                         if self.findings else {})}


def protocol_checked(data: Path | bytes, *, what: str) -> PdfaVerdict:
    """Validate a protocol we composed, after it was made. It is stored whatever the verdict
    (a protocol of a destruction already carried out must not be lost); a verdict other
    than "pass" is logged as an error and recorded in the trail entry with the protocol."""
    verdict = pdfa_check(data)
    if not verdict.passed:
        log.error("%s is not valid PDF/A (%s): %s", what, verdict.status,
                  "; ".join(verdict.findings))
    return verdict


def _claim(source) -> tuple[str, str]:
    """The PDF/A claim (part, conformance) from the XMP identification, ("", "") if none."""
    with pikepdf.open(source) as pdf, pdf.open_metadata() as meta:
        part = str(meta.get("pdfaid:part", "") or "").strip()
        conformance = str(meta.get("pdfaid:conformance", "") or "").strip().upper()
    return part, conformance


def _reopenable(source: Path | str | bytes | BinaryIO):
    if isinstance(source, bytes | bytearray):
        return lambda: io.BytesIO(source)
    if isinstance(source, Path | str):
        return lambda: Path(source)

    def rewound():
        source.seek(0)
        return source
    return rewound


def _finding(finding) -> str:
    kind = "" if finding.kind == "violation" else f"[{finding.kind}] "
    return f"{kind}{finding.rule} at {finding.where}: {finding.message}"[:500]


def pdfa_check(source: Path | str | bytes | BinaryIO) -> PdfaVerdict:
    """Validate `source` (a path, the bytes, or a seekable binary stream) against the PDF/A
    flavour it claims. Never raises for the file's sake."""
    reopen = _reopenable(source)
    try:
        part, conformance = _claim(reopen())
    except Exception as error:  # noqa: BLE001 - a file pikepdf cannot read is no PDF/A
        return PdfaVerdict(FAIL, (f"registratur:unreadable: the file cannot be read as a PDF "
                                  f"({type(error).__name__})",))
    claimed = f"{part}{conformance}"
    if not part:
        return PdfaVerdict(FAIL, (f"{NO_CLAIM}: the file does not declare PDF/A "
                                  "conformance in its XMP metadata",))
    flavour = FLAVOUR_OF_PART.get(part)
    if flavour is None:
        return PdfaVerdict(NOT_CHECKED, (f"registratur:flavour: PDF/A-{claimed} is claimed; "
                                         "the validator checks parts 1 to 3 only",), claimed)
    from pikepdf import pdfa  # its optional dependencies load only when a check runs

    try:
        report = pdfa.validate_written(reopen(), flavour)
    except Exception as error:  # noqa: BLE001 - documented not to raise; stay safe if it does
        log.exception("PDF/A validation crashed")
        return PdfaVerdict(NOT_CHECKED, (f"registratur:validator: the validator stopped "
                                         f"({type(error).__name__})",), claimed)
    findings = [_finding(finding) for finding in report.findings]
    if len(findings) > MAX_FINDINGS:
        findings = [*findings[:MAX_FINDINGS],
                    f"registratur:more: {len(findings) - MAX_FINDINGS} further findings"]
    status = {"pass": PASS, "fail": FAIL}.get(report.verdict, NOT_CHECKED)
    if status == PASS and conformance != "B":
        # Level A and U demand more than level B (structure, Unicode); only B was shown.
        return PdfaVerdict(NOT_CHECKED, (f"registratur:level: PDF/A-{claimed} is claimed; "
                                         f"only the level B requirements were checked",),
                           claimed)
    return PdfaVerdict(status, tuple(findings), claimed)
