"""The mail rendition shows the mail's date in local time and German form (issue #12.2)."""
import subprocess

from ingest.steps.emails import render_mail_pdf


def _text(path) -> str:
    return " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True,
                                   text=True, check=True).stdout.split())


def test_the_mail_date_is_local_and_german(tmp_path, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    target = tmp_path / "mail.pdf"
    meta = {"from": "a@example.org", "to": "post@amt.example", "subject": "Antrag",
            "date": "2026-12-31T23:30:00+00:00"}
    render_mail_pdf(meta, "Text", [], target)
    text = _text(target)
    assert "Datum: 01.01.2027, 00:30 Uhr" in text
    assert "2026-12-31" not in text


def test_an_unreadable_or_missing_date_is_left_alone(tmp_path):
    target = tmp_path / "mail.pdf"
    render_mail_pdf({"from": "a", "to": "b", "subject": "c", "date": None}, "Text", [], target)
    assert "Datum: -" in _text(target)
