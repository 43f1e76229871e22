"""The files of the npm packages (package.json, installed by `npm ci` into node_modules) that
the pages load, exposed to Django's static files under `vendor/`.

Only what a page uses is listed, so that collectstatic copies a few hundred kilobytes and not
the packages' sources, maps and Node.js builds. axe-core is not among them: the accessibility
tests inject it into the browser themselves, and no page of an instance loads it."""
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.contrib.staticfiles.utils import matches_patterns
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage

# static prefix: (folder inside node_modules, files or glob patterns inside that folder)
VENDOR_FILES = {
    "vendor/kern": ("@kern-ux/native/dist", (
        "kern.min.css",
        "fonts/fira-sans.css",
        "fonts/fira-sans/*.woff2",
    )),
    "vendor/htmx": ("htmx.org/dist", ("htmx.min.js",)),
    "vendor/pdfjs": ("pdfjs-dist", (
        "build/pdf.min.mjs",
        "build/pdf.worker.min.mjs",
        "LICENSE",
    )),
}
# KERN's licence lies one folder above its dist folder.
VENDOR_EXTRA = {"vendor/kern/LICENSE.md": "@kern-ux/native/LICENSE.md"}


def _node_modules() -> Path:
    return Path(settings.NODE_MODULES_DIR)


def vendor_files() -> dict[str, Path]:
    """Static path -> file in node_modules, for every listed file that exists."""
    root = _node_modules()
    found: dict[str, Path] = {}
    for prefix, (folder, patterns) in VENDOR_FILES.items():
        base = root / folder
        for pattern in patterns:
            for path in sorted(base.glob(pattern)):
                if path.is_file():
                    found[f"{prefix}/{path.relative_to(base).as_posix()}"] = path
    for static_path, relative in VENDOR_EXTRA.items():
        if (root / relative).is_file():
            found[static_path] = root / relative
    return found


def missing_vendor_files() -> list[str]:
    """The listed patterns that match no file: node_modules is missing or incomplete."""
    root = _node_modules()
    missing = [f"{folder}/{pattern}"
               for folder, patterns in VENDOR_FILES.values() for pattern in patterns
               if not any(path.is_file() for path in (root / folder).glob(pattern))]
    missing += [relative for relative in VENDOR_EXTRA.values() if not (root / relative).is_file()]
    return missing


class _Storage(FileSystemStorage):
    """One file of node_modules, listed by collectstatic under its static path."""

    def __init__(self, location: Path, prefix: str):
        super().__init__(location=str(location))
        self.prefix = prefix


class NodeModulesFinder(BaseFinder):
    """Finds the listed files of node_modules (see VENDOR_FILES)."""

    def check(self, **kwargs):
        missing = missing_vendor_files()
        if not missing:
            return []
        return [Error(
            f"The front-end packages are not installed: {', '.join(missing[:3])} missing in "
            f"{_node_modules()}.",
            hint="Run `npm ci --omit=optional` in the project folder (`make run` does).",
            id="registratur.E010")]

    def find(self, path, find_all=False, **kwargs):
        # Django 5.2 renamed `all` to `find_all`; the old name still arrives from older callers.
        find_all = find_all or kwargs.get("all", False)
        found = vendor_files().get(path.replace("\\", "/"))
        if found is None:
            return [] if find_all else None
        return [str(found)] if find_all else str(found)

    def list(self, ignore_patterns):
        for static_path, path in vendor_files().items():
            if ignore_patterns and matches_patterns(static_path, ignore_patterns):
                continue
            prefix = static_path.rsplit("/", 1)[0]
            # The storage's location is the file's folder, so that the path below its prefix
            # is the bare file name and the static path comes out as listed.
            yield path.name, _Storage(path.parent, prefix)
