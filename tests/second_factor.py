"""The second factor in tests. The administrator and the officer must have a confirmed TOTP
device (settings.OTP_REQUIRED_ROLES stays on in the test settings): the demo fixtures give
them one with a known key, the test client's login()/force_login() then marks the session
verified as the code page would (a test shortcut like force_login itself), and browser tests
that sign in through the form type the current code, computed here from the device's key."""
import time

from django.contrib.auth import get_user_model
from django.test.client import ClientMixin
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

# 20 bytes, hex, as django-otp stores it.
TEST_KEY = "3132333435363738393031323334353637383930"
REQUIRED = ("admin", "datenschutz")


def confirmed_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", key=TEST_KEY,
                                               confirmed=True)


def demo_devices() -> None:
    for username in REQUIRED:
        confirmed_device(get_user_model().objects.get(username=username))


def current_code(device: TOTPDevice) -> str:
    """A code the device accepts now: django-otp takes each time step once, so a second
    sign-in within the same 30 seconds uses the next step (within the tolerance) or waits."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    now = totp.t()
    wanted = max(now, (device.last_t or -1) + 1)
    if wanted > now + device.tolerance:
        time.sleep(device.step - time.time() % device.step + 0.5)
        return current_code(device)
    totp.time = (wanted - device.drift) * device.step + device.t0
    return f"{totp.token():0{device.digits}d}"


def code_for(username: str) -> str:
    return current_code(TOTPDevice.objects.get(user__username=username, confirmed=True))


_original_login = ClientMixin._login


def _login_verified(self, user, backend=None):
    _original_login(self, user, backend)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def patch_test_client() -> None:
    ClientMixin._login = _login_verified


def browser_second_factor(page, username: str, type_into=None) -> None:
    """After the password in a browser: type the code if the code page came up. `type_into`
    (locator, text) types with the keyboard, as the keyboard journeys do."""
    from urllib.parse import urlparse

    page.wait_for_url(lambda url: urlparse(url).path != "/anmelden/")
    if urlparse(page.url).path != "/anmelden/zweiter-faktor/":
        return
    field = page.get_by_label("Code")
    if type_into is not None:
        type_into(field, code_for(username))
        page.keyboard.press("Enter")
    else:
        field.fill(code_for(username))
        page.get_by_role("button", name="Bestätigen").click()
