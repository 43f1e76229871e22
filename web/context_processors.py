"""What every page's frame shows: the authority's name in the header."""
from django.conf import settings


def site(request):
    return {"authority_name": settings.AUTHORITY_NAME}
