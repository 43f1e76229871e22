"""The reader of an alert as a pseudonym: a keyed hash (HMAC-SHA256) of the user name, stable
so that the officer sees repeated alerts of one person as such, but not reversible without the
key (REGISTRATUR_OVERSIGHT_KEY, else the instance's secret key)."""

from django.conf import settings
from django.utils.crypto import salted_hmac

SALT = "registratur.oversight.pseudonym"


def pseudonym(username: str) -> str:
    key = settings.OVERSIGHT_PSEUDONYM_KEY or settings.SECRET_KEY
    digest = salted_hmac(SALT, username, secret=key, algorithm="sha256").hexdigest()
    return f"P-{digest[:10].upper()}"
