"""The import rules of DESIGN.md, checked on every test run."""
import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["config", "archive", "ingest", "search", "retention", "signoff", "desk", "followups",
        "identity", "webhooks", "oversight", "web"]


def test_import_contracts_are_kept():
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"),
                             "--config", str(ROOT / "setup.cfg")],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def _imported_modules(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_nothing_imports_private_ocrmypdf_modules():
    offenders = [
        f"{path.relative_to(ROOT)}: {module}"
        for app in APPS for path in (ROOT / app).rglob("*.py")
        for module in _imported_modules(path)
        if module.startswith("ocrmypdf._")
    ]
    assert offenders == []


def test_the_private_import_check_would_notice_one(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from ocrmypdf._exec import tesseract\n")
    assert list(_imported_modules(bad)) == ["ocrmypdf._exec"]


# Removed as unreachable (issue "Foundations", point 17); a name coming back is dead again.
# (`process_reopen` came back on purpose, with callers: the case file page and API v1.)
REMOVED = ("sensible_dpi", "find_letter_date", "find_title", "DECLARED_KEYS",
           "available_backends")


def test_removed_dead_code_stays_removed():
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for app in APPS for path in (ROOT / app).rglob("*.py")
        for name in REMOVED if name in path.read_text()
    ]
    assert offenders == []
