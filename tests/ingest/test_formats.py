"""Every format a mailroom meets, through the real pipeline with real OCR: the text is read,
pages are counted, the original stays byte-identical; what cannot be processed is refused with
a stable code and kept."""
import struct
import zlib

import pikepdf
import pytest
from django.test import override_settings
from PIL import Image

from archive.blobstore import blob_path
from ingest.jobs import job_receive
from ingest.models import IngestJob, JobState
from ingest.pipeline import job_run
from tests.conftest import sqlite_only
from tests.fixtures import formats
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


@pytest.mark.django_db
def test_office_document_is_converted_with_libreoffice(demo, tmp_path):
    import shutil

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    path = formats.docx(tmp_path / "antrag.docx", ["Antrag auf Kostenübernahme"])
    job = _ingest(path)
    assert job.state == JobState.INBOX, job.message
    assert "Kostenübernahme" in _text(job)
