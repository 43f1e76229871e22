"""Every format a mailroom meets, through the real pipeline with real OCR: the text is read,
pages are counted, the original stays byte-identical; what cannot be processed is refused with
a stable code and kept."""
import os
import shutil
import struct
import threading
import zipfile
import zlib

import pikepdf
import pypdfium2
import pytest
from django.test import override_settings
from PIL import Image

from archive.blobstore import blob_path
from ingest.context import PipelineContext
from ingest.jobs import job_receive
from ingest.models import IngestJob, JobState
from ingest.pipeline import job_run
from ingest.selectors import jobs_in_quarantine
from ingest.steps.images import square_resolution
from ingest.steps.office import office_to_pdf
from tests.conftest import sqlite_only
from tests.fixtures import formats, letters
from tests.fixtures.born_digital import born_digital_pdf

pytestmark = sqlite_only

WORDS = ["Widerspruch", "Grundsicherung", "Mietvertrag"]


def _ingest(path, **kwargs):
    job = job_receive(path=path, original_name=path.name, source="test", **kwargs)
    return job_run(job.pk, worker="test")


def _text(job) -> str:
    return job.document.versions.get().text


@pytest.mark.django_db
@pytest.mark.parametrize("compression", ["group4", "tiff_lzw", "jpeg"])
def test_multipage_tiff_keeps_every_page(demo, tmp_path, compression):
    pages = [formats.text_page([word]) for word in WORDS]
    path = formats.multipage_tiff(tmp_path / f"scan-{compression}.tif", pages, compression)
    job = _ingest(path)
    assert job.state == JobState.INBOX, job.message
    assert job.pages == 3
    text = _text(job)
    assert all(word in text for word in WORDS), text
    assert blob_path(job.original_sha256).read_bytes() == path.read_bytes()


@pytest.mark.django_db
def test_png_with_alpha_and_without_dpi_and_gif(demo, tmp_path):
    rgba = formats.text_page(WORDS[:2], mode="RGBA")
    rgba.putalpha(Image.new("L", rgba.size, 200))
    alpha = tmp_path / "alpha.png"
    alpha.write_bytes(formats.png_bytes(rgba))  # no dpi recorded
    gif = tmp_path / "brief.gif"
    formats.text_page(WORDS[:2], mode="P").save(gif)
    for path in (alpha, gif):
        job = _ingest(path)
        assert job.state == JobState.INBOX, job.message
        assert "Widerspruch" in _text(job)
        notes = " ".join(job.document.versions.get().provenance["notes"])
        assert "300 dpi assumed" in notes


@pytest.mark.django_db
def test_jpeg_exif_orientation_is_honoured(demo, tmp_path):
    page = formats.text_page(WORDS).convert("RGB")
    # Stored rotated as a camera does, with EXIF saying how to turn it upright.
    stored = page.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "foto.jpg"
    stored.save(path, exif=exif, dpi=(200, 200), quality=95)
    job = _ingest(path)
    assert job.state == JobState.INBOX, job.message
    version = job.document.versions.get()
    assert "EXIF orientation applied" in " ".join(version.provenance["notes"])
    with pikepdf.open(blob_path(version.rendition_sha256)) as pdf:
        box = pdf.pages[0].mediabox
        assert float(box[2]) > float(box[3])  # upright again: landscape like the page
    assert "Grundsicherung" in version.text


@pytest.mark.django_db
def test_heic_photo_is_read(demo, tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    path = tmp_path / "handyfoto.heic"
    heif = pillow_heif.from_pillow(formats.text_page(WORDS).convert("RGB"))
    heif.save(path, quality=95)
    job = _ingest(path)
    assert job.state == JobState.INBOX, job.message
    assert "Mietvertrag" in _text(job)


@pytest.mark.django_db
def test_encrypted_pdf_with_supplied_password_and_without(demo, tmp_path):
    plain = born_digital_pdf(tmp_path / "plain.pdf", ["Vertraulicher Bescheid"])
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(user="geheim", owner="owner"))
    refused = _ingest(locked)
    assert (refused.state, refused.code) == (JobState.REFUSED, "ENCRYPTED_PDF")
    wrong = _ingest(locked, password="falsch")
    assert wrong.code == "ENCRYPTED_PDF_WRONG_PASSWORD"
    opened = _ingest(locked, password="geheim")
    assert opened.state == JobState.INBOX, opened.message
    assert "Vertraulicher Bescheid" in _text(opened)
    assert IngestJob.objects.get(pk=opened.pk).password == ""  # not kept


@pytest.mark.django_db
def test_signed_pdf_is_recorded_and_original_kept(demo, tmp_path):
    source = born_digital_pdf(tmp_path / "unsigned.pdf", ["Unterschriebener Vertrag"])
    signed = tmp_path / "signed.pdf"
    with pikepdf.open(source) as pdf:
        field = pdf.make_indirect(pikepdf.Dictionary(FT=pikepdf.Name.Sig, T="Signatur"))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[field], SigFlags=3)
        pdf.save(signed)
    job = _ingest(signed)
    assert job.state == JobState.INBOX, job.message
    version = job.document.versions.get()
    assert version.provenance["signed"] is True
    assert blob_path(version.original_sha256).read_bytes() == signed.read_bytes()


@pytest.mark.django_db
def test_damaged_pdf_is_repaired_and_the_original_kept(demo, tmp_path):
    source = born_digital_pdf(tmp_path / "ok.pdf", ["Reparierbarer Antrag"])
    data = source.read_bytes()
    broken = tmp_path / "broken.pdf"
    xref = data.rindex(b"startxref")
    broken.write_bytes(data[:xref] + b"startxref\n99999\n%%EOF\n")  # wrong xref offset
    job = _ingest(broken)
    assert job.state == JobState.INBOX, job.message
    version = job.document.versions.get()
    assert "repaired" in " ".join(version.provenance["notes"])
    assert "Reparierbarer Antrag" in version.text
    assert blob_path(version.original_sha256).read_bytes() == broken.read_bytes()


def _png_header_only(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    idat = b"IDAT" + zlib.compress(b"\x00" * 64)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + struct.pack(">I", len(idat) - 4) + idat
            + struct.pack(">I", zlib.crc32(idat)))


def _huge_page_pdf(path):
    pdf = pikepdf.new()
    page = pdf.add_blank_page()
    page.obj.MediaBox = [0, 0, 72 * 500, 72 * 500]  # 500 inches square
    pdf.save(path)
    return path


@pytest.mark.django_db
def test_bombs_and_absurd_pages_are_refused(demo, tmp_path):
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png_header_only(40000, 40000))
    huge = _huge_page_pdf(tmp_path / "plakat.pdf")
    for path, code in ((bomb, "IMAGE_TOO_LARGE"), (huge, "PAGE_SIZE_ABSURD")):
        job = _ingest(path)
        assert (job.state, job.code) == (JobState.REFUSED, code), job.message
        assert job.message
        assert blob_path(job.original_sha256).read_bytes() == path.read_bytes()


@pytest.mark.django_db
def test_mail_body_is_archived_and_attachments_become_documents(demo, tmp_path):
    attachment = born_digital_pdf(tmp_path / "anlage.pdf", ["Kontoauszug März"]).read_bytes()
    path = formats.mail(tmp_path / "post.eml", subject="Antrag auf Wohngeld für März",
                        body="Sehr geehrte Damen und Herren,\nanbei mein Kontoauszug.",
                        attachments=[("kontoauszug.pdf", attachment, "application/pdf")])
    job = _ingest(path)
    assert job.state == JobState.INBOX, job.message
    document = job.document
    assert document.title == "Antrag auf Wohngeld für März"
    assert "Jürgen Müller" in document.sender
    assert str(document.letter_date) == "2026-03-10"
    assert "anbei mein Kontoauszug" in _text(job)
    child = job.children.get()
    assert child.original_name == "kontoauszug.pdf"
    child = job_run(child.pk, worker="test")  # a worker would pick it up from the queue
    assert child.state == JobState.INBOX, child.message
    assert "Kontoauszug" in child.document.versions.get().text


@pytest.mark.django_db
def test_office_document_without_libreoffice_is_refused_naming_what_to_install(demo, tmp_path):
    path = formats.docx(tmp_path / "antrag.docx", ["Antrag auf Kostenübernahme"])
    with override_settings(LIBREOFFICE_BINARY="/nonexistent/soffice"):
        job = _ingest(path)
    assert (job.state, job.code) == (JobState.REFUSED, "OFFICE_CONVERTER_MISSING")
    assert "libreoffice" in job.message.lower()


LETTER = ["Stadt Musterhausen, Sozialamt", "Antrag auf Kostenübernahme",
          "Sehr geehrte Damen und Herren,", "ich beantrage die Übernahme der Heizkosten.",
          "Mit freundlichen Grüßen, Jürgen Müller"]


def _soffice_or_skip():
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed (scripts/ensure-system-packages --test, "
                    "as `make test` runs it, installs libreoffice-writer-nogui)")


def _rendition_text(version) -> str:
    pdf = pypdfium2.PdfDocument(blob_path(version.rendition_sha256).read_bytes())
    try:
        return "".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


@pytest.mark.django_db
@pytest.mark.parametrize("build", [formats.docx, formats.odt], ids=["docx", "odt"])
def test_office_document_is_converted_with_libreoffice(demo, tmp_path, build):
    _soffice_or_skip()
    path = build(tmp_path / f"antrag.{build.__name__}", LETTER)
    job = _ingest(path)
    assert job.state == JobState.INBOX, job.message
    version = job.document.versions.get()
    assert version.original_mime == formats.OFFICE_MIMES[build.__name__]
    assert "converted from an office document with LibreOffice" in version.provenance["notes"]
    assert "Übernahme der Heizkosten" in version.text
    # The archived rendition carries the text itself (LibreOffice wrote it, no OCR needed).
    assert "Mit freundlichen Grüßen, Jürgen Müller" in _rendition_text(version)
    assert version.rendition_is_pdfa
    assert version.pdfa_check == "pass", version.pdfa_findings  # validated, not just claimed
    assert blob_path(version.original_sha256).read_bytes() == path.read_bytes()


def test_concurrent_office_conversions_do_not_share_a_profile(tmp_path):
    """LibreOffice locks its user profile; conversions sharing one fail or hand their work
    to another instance. Four at once must all convert."""
    _soffice_or_skip()
    contexts = []
    for index in range(4):
        workdir = tmp_path / f"job-{index}"
        workdir.mkdir()
        source = formats.odt(tmp_path / f"brief-{index}.odt", [f"Bescheid Nummer {index}"])
        contexts.append(PipelineContext(job=None, source_path=source, workdir=workdir,
                                        mime=formats.OFFICE_MIMES["odt"]))
    errors = []

    def convert(ctx):
        try:
            office_to_pdf(ctx)
        except Exception as exc:  # collected: a thread's exception would be lost
            errors.append(exc)

    threads = [threading.Thread(target=convert, args=(ctx,)) for ctx in contexts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors
    for index, ctx in enumerate(contexts):
        pdf = pypdfium2.PdfDocument(ctx.pdf_path.read_bytes())
        try:
            assert f"Bescheid Nummer {index}" in pdf[0].get_textpage().get_text_range()
        finally:
            pdf.close()
        assert (ctx.workdir / "lo-profile").is_dir()  # the job's own profile


FAKE_SOFFICE = """#!/bin/sh
# Records the limits and arguments it was started with, then takes too long.
ulimit -v > "$RECORD/limit"
printf '%s\\n' "$@" > "$RECORD/args"
ps -o sid= -p $$ > "$RECORD/session"
sleep 30
"""


@pytest.mark.django_db
def test_libreoffice_runs_in_a_child_with_the_jobs_limits(demo, tmp_path, monkeypatch):
    """The plumbing, with a stand-in for soffice: the job's memory limit, a private profile
    in the job's work directory, a session of its own, and the time limit refusing."""
    fake = tmp_path / "soffice"
    fake.write_text(FAKE_SOFFICE)
    fake.chmod(0o755)
    record = tmp_path / "record"
    record.mkdir()
    monkeypatch.setenv("RECORD", str(record))
    path = formats.docx(tmp_path / "antrag.docx", LETTER)
    with override_settings(LIBREOFFICE_BINARY=str(fake), INGEST_TIMEOUT_SECONDS=3,
                           INGEST_MEMORY_MB=777):
        job = _ingest(path)
    assert (job.state, job.code) == (JobState.REFUSED, "TIMEOUT"), job.message
    assert "Zeitlimit von 3 s" in job.message
    assert record.joinpath("limit").read_text().strip() == str(777 * 1024)  # in KiB
    args = record.joinpath("args").read_text().splitlines()
    profile = next(a for a in args if a.startswith("-env:UserInstallation=file://"))
    assert f"/job-{job.pk}/" in profile and profile.endswith("/lo-profile")
    assert int(record.joinpath("session").read_text()) != os.getsid(0)
    assert blob_path(job.original_sha256).read_bytes() == path.read_bytes()


@pytest.mark.django_db
def test_libreoffice_over_the_memory_limit_is_refused_with_its_code(demo, tmp_path):
    _soffice_or_skip()
    path = formats.odt(tmp_path / "antrag.odt", LETTER)
    with override_settings(INGEST_MEMORY_MB=60):  # too little to even load soffice.bin
        job = _ingest(path)
    assert (job.state, job.code) == (JobState.REFUSED, "MEMORY_LIMIT"), job.message
    assert "60 MB" in job.message
    assert blob_path(job.original_sha256).read_bytes() == path.read_bytes()


XDP = (b'<?xml version="1.0" encoding="UTF-8"?><xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/">'
       b'<template xmlns="http://www.xfa.org/schema/xfa-template/3.3/"><subform name="antrag">'
       b'<field name="name"><caption><value><text>Name des Antragstellers</text></value>'
       b'</caption></field></subform></template></xdp:xdp>')


def _xfa_pdf(path, *, dynamic: bool, lines: list[str]):
    """A LiveCycle-style form: the XFA packet in the AcroForm; a dynamic one also says
    /NeedsRendering, its pages being only a placeholder ("please wait...")."""
    source = born_digital_pdf(path.with_suffix(".plain.pdf"), lines)
    with pikepdf.open(source) as pdf:
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=[], XFA=pdf.make_stream(XDP))
        if dynamic:
            pdf.Root.NeedsRendering = True
        pdf.save(path)
    return path


@pytest.mark.django_db
def test_dynamic_xfa_form_is_refused_and_kept_in_quarantine(demo, tmp_path):
    path = _xfa_pdf(tmp_path / "formular.pdf", dynamic=True,
                    lines=["Bitte warten, das Formular wird geladen"])
    job = _ingest(path)
    assert (job.state, job.code) == (JobState.REFUSED, "XFA_UNSUPPORTED"), job.message
    assert "XFA" in job.message
    assert job in jobs_in_quarantine()
    assert job.document is None
    assert blob_path(job.original_sha256).read_bytes() == path.read_bytes()


@pytest.mark.django_db
def test_static_xfa_form_is_archived_with_its_text(demo, tmp_path):
    path = _xfa_pdf(tmp_path / "antrag.pdf", dynamic=False,
                    lines=["Antrag auf Wohngeld", "Name: Jürgen Müller"])
    job = _ingest(path)
    assert job.state == JobState.INBOX, job.message
    version = job.document.versions.get()
    assert version.provenance["xfa"] is True
    assert "Antrag auf Wohngeld" in version.text
    assert "Antrag auf Wohngeld" in _rendition_text(version)
    assert blob_path(version.original_sha256).read_bytes() == path.read_bytes()


A4_POINTS = (595.3, 841.9)


@pytest.mark.django_db
@pytest.mark.parametrize("claimed_dpi, suffix", [(1, ".png"), (20000, ".jpg")])
def test_absurd_resolution_claims_give_an_a4_page_with_text(demo, tmp_path, claimed_dpi,
                                                            suffix):
    """A 300-dpi A4 scan whose file claims 1 dpi (a page of 2480 × 3508 inches) or 20000 dpi
    (a postage stamp): archived as an A4 page, read by OCR."""
    page = letters.render_pages(letters.Letter())[0]
    path = tmp_path / f"scan-{claimed_dpi}dpi{suffix}"
    page.save(path, dpi=(claimed_dpi, claimed_dpi), **({"quality": 92} if suffix == ".jpg"
                                                       else {}))
    with Image.open(path) as written:  # the claim really is in the file
        assert round(float(written.info["dpi"][0])) == claimed_dpi
    job = _ingest(path)
    assert job.state == JobState.INBOX, job.message
    version = job.document.versions.get()
    assert "300 dpi assumed" in " ".join(version.provenance["notes"])
    assert version.provenance["scan"]["resolution_dpi"] == 300
    with pikepdf.open(blob_path(version.rendition_sha256)) as pdf:
        box = [float(v) for v in pdf.pages[0].mediabox]
    width, height = box[2] - box[0], box[3] - box[1]
    assert width == pytest.approx(A4_POINTS[0], rel=0.02)
    assert height == pytest.approx(A4_POINTS[1], rel=0.02)
    assert "Heizkosten" in version.text
    assert blob_path(version.original_sha256).read_bytes() == path.read_bytes()


@pytest.mark.django_db
def test_fax_with_non_square_pixels_keeps_its_page_size_and_is_read(demo, tmp_path):
    """A standard-mode fax: 204 dpi across, 98 dpi down. Taken as 204 × 204 the page would be
    half as tall and every letter squashed."""
    page = letters.render_pages(letters.Letter(), noise=0)[0]  # A4 at 300 dpi
    fax = page.resize((1728, round(page.height * 98 / 300)), Image.Resampling.LANCZOS)
    path = tmp_path / "fax.tif"
    fax.point(lambda v: 255 if v > 150 else 0).convert("1").save(
        path, dpi=(204, 98), compression="group4")
    job = _ingest(path)
    assert job.state == JobState.INBOX, job.message
    version = job.document.versions.get()
    assert "non-square pixels (204 × 98 dpi) resampled to 204 dpi" in version.provenance["notes"]
    with pikepdf.open(blob_path(version.rendition_sha256)) as pdf:
        box = [float(v) for v in pdf.pages[0].mediabox]
    assert box[2] - box[0] == pytest.approx(A4_POINTS[0], rel=0.03)
    assert box[3] - box[1] == pytest.approx(A4_POINTS[1], rel=0.03)
    assert "Heizkosten" in version.text
    assert blob_path(version.original_sha256).read_bytes() == path.read_bytes()


@pytest.mark.parametrize("size, x_dpi, y_dpi, expected", [
    ((1728, 1146), 204, 98, ((1728, 2386), 204)),  # the finer resolution: 204 dpi
    ((1146, 1728), 98, 204, ((2386, 1728), 204)),
    ((17000, 17000), 1200, 100, ((1417, 17000), 100)),  # 12 × more pixels: the coarser one
])
def test_non_square_pixels_are_resampled_within_the_pixel_limit(size, x_dpi, y_dpi, expected):
    assert square_resolution(size, x_dpi, y_dpi) == expected


@pytest.mark.django_db
def test_damaged_office_document_is_refused_and_kept(demo, tmp_path):
    _soffice_or_skip()
    path = tmp_path / "kaputt.docx"
    with zipfile.ZipFile(path, "w") as archive:  # looks like Word, is not
        archive.writestr("word/document.xml", "<<< kein XML")
    job = _ingest(path)
    assert (job.state, job.code) == (JobState.REFUSED, "OFFICE_CONVERSION_FAILED"), job.message
    assert "beschädigt" in job.message and "javaldx" not in job.message
    assert blob_path(job.original_sha256).read_bytes() == path.read_bytes()
