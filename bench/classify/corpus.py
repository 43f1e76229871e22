"""The benchmark's labelled corpus: the typed letters rendered as scans in each sender's
layout (font, size, margins, skew, noise) and read back by tesseract, as the mailroom's post
would be. OCR is the slow part, so every letter's text is cached under `cache/` by the hash of
what was rendered; a second run reads the cache."""
import hashlib
import json
import random
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from tests.fixtures.letters import _scan_effects
from tests.fixtures.typed_letters import FONTS, TypedLetter

CACHE = Path(__file__).resolve().parent / "cache"
FONT_DIRS = [Path("/usr/share/fonts/truetype") / name
             for name in ("dejavu", "liberation2", "liberation", "crosextra")]
# 200 dpi: what mailroom scanners commonly deliver, and a third of the OCR time of 300 dpi.
A4_200DPI = (1654, 2339)


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    for folder in FONT_DIRS:
        if (folder / name).exists():
            return ImageFont.truetype(str(folder / name), size)
    return ImageFont.truetype(str(FONT_DIRS[0] / FONTS[0]), size)


def render(letter: TypedLetter, house) -> list[Image.Image]:
    rng = random.Random(house.seed + letter.person)
    size = house.font_size * 2 // 3
    font = _font(house.font, size)
    line_height = int(size * 1.45)
    margin_x, margin_top = house.margin * 2 // 3, 150
    per_page = (A4_200DPI[1] - margin_top - 120) // line_height
    pages = []
    for start in range(0, len(letter.lines), per_page):
        page = Image.new("L", A4_200DPI, 255)
        draw = ImageDraw.Draw(page)
        for row, line in enumerate(letter.lines[start:start + per_page]):
            draw.text((margin_x, margin_top + row * line_height), line, fill=25, font=font)
        pages.append(_scan_effects(page, skew=rng.uniform(-1.5, 1.5),
                                   noise=rng.uniform(0.04, 0.12), rng=rng))
    return pages


def _key(letter: TypedLetter, house) -> str:
    material = json.dumps([letter.lines, house.font, house.font_size, house.margin,
                           house.seed, letter.person])
    return hashlib.sha256(material.encode()).hexdigest()


def _ocr(letter: TypedLetter, house) -> str:
    path = CACHE / f"{_key(letter, house)}.txt"
    if path.exists():
        return path.read_text()
    texts = []
    with tempfile.TemporaryDirectory() as tmp:
        for number, page in enumerate(render(letter, house)):
            image = Path(tmp) / f"{number}.png"
            page.save(image, dpi=(200, 200))
            done = subprocess.run(["tesseract", str(image), "-", "-l", "deu", "--psm", "3"],
                                  capture_output=True, text=True, check=True,
                                  env={"OMP_THREAD_LIMIT": "1", "PATH": "/usr/bin:/bin"})
            texts.append(done.stdout)
    text = "\n".join(texts)
    CACHE.mkdir(exist_ok=True)
    tmp_path = path.with_suffix(".tmp")
    tmp_path.write_text(text)
    tmp_path.rename(path)
    return text


def ocr_corpus(letters: list[TypedLetter], houses: list, *, workers: int = 2,
               progress=None) -> list[str]:
    """The OCR text of every letter, from the cache where it was read before."""
    by_index = {house.index: house for house in houses}
    done = 0

    def one(letter):
        nonlocal done
        text = _ocr(letter, by_index[letter.house])
        done += 1
        if progress and done % 20 == 0:
            progress(done, len(letters))
        return text

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, letters))
