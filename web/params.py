"""Reading numbers from request parameters. `str.isdigit()` is true for '²' and '٣', which
`int()` then refuses, and an id beyond 64 bits fails in the database or the search index:
both are bad input, not server errors."""
MAX_ID = 2**63 - 1  # a database BigAutoField, and what every search backend can hold


def whole_number(raw) -> int | None:
    """An ASCII whole number within 64 bits, or None."""
    raw = (raw or "").strip() if isinstance(raw, str) else ""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 19:
        return None
    value = int(raw)
    return value if value <= MAX_ID else None
