"""The 0503 transfer package: one zip with the message and the primary documents, each under
exactly the Dateiname the message gives it."""
import os
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from . import codes


def message_file_name(process_id: str, code: str, suffix: str = "xml") -> str:
    """xdomea names files after the process and the message, e.g. {id}_Aussonderung....0503."""
    return f"{process_id}_{codes.MESSAGES[code]}.{suffix}"


def package_write(*, out_dir: Path, process_id: str, message: bytes,
                  files: Iterable[tuple[str, Callable[[], BinaryIO]]]) -> Path:
    """Write the zip next to a temporary name first, so a half-written package never carries
    the final name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / message_file_name(process_id, "0503", "zip")
    partial = target.with_suffix(".zip.part")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(message_file_name(process_id, "0503"), message)
            for name, opener in files:
                with opener() as source, archive.open(name, "w") as member:
                    while chunk := source.read(1024 * 1024):
                        member.write(chunk)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
    return target
