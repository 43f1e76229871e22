"""Running a service from a form post: a refusal becomes a message on the page it came from,
except 'not found', which must stay a plain 404."""
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from archive.errors import InvalidInput, NotFound

from ..errors import as_domain_error


def run_action(request, action, *, success, back: str):
    """`success` is the message, or a function of what the action returned that gives it."""
    try:
        result = action()
    except NotFound:
        raise
    except Exception as exception:
        error = as_domain_error(exception)
        if error is None:
            raise
        messages.error(request, f"{error.message} ({error.code})")
    else:
        messages.success(request, success(result) if callable(success) else success)
    return redirect(back)


def cleaned(form) -> dict:
    """The form's data, or the refusal that run_action shows on the page."""
    if not form.is_valid():
        raise InvalidInput(_("Bitte prüfen Sie die Eingaben."))
    return form.cleaned_data


def changed(form) -> dict:
    """Only what the user changed against the form's initial values: a field the browser
    could not show or sent back reformatted must not overwrite what is stored."""
    data = cleaned(form)
    return {name: data[name] for name in form.changed_data}


def object_or_404(model, pk):
    """By id, or the same 404 as for anything unknown."""
    found = model.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found
