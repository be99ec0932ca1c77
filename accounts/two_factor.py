"""Two-factor sign-in for staff with django-otp: a TOTP authenticator app, and ten single-use
recovery codes (django-otp's static device). Who must use it is decided here alone."""

from base64 import b32encode
from math import ceil

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from answers.roles import EDITORS, MEDICAL_REVIEWERS

APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODES = 10


class CodeThrottled(Exception):
    """Wrong codes in a row: django-otp refuses to check another until `seconds` have passed
    (1, 2, 4, 8... after each failure), which makes guessing six digits hopeless."""

    def __init__(self, seconds):
        self.seconds = seconds
        super().__init__(
            f"Too many wrong codes in a row: wait {seconds} second{'s' if seconds != 1 else ''}, "
            "then type the code again."
        )


def refuse_if_throttled(devices):
    waits = []
    for device in devices:
        allowed, info = device.verify_is_allowed()
        if not allowed and info and info.get("locked_until"):
            waits.append((info["locked_until"] - timezone.now()).total_seconds())
    if waits:
        raise CodeThrottled(max(1, ceil(max(waits))))


def must_use_two_factor(user) -> bool:
    """With REQUIRE_2FA on: Medical reviewers and Editors, and superusers (who can do what both
    do). Writers may enrol but are not forced."""
    if not settings.REQUIRE_2FA or not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name__in=[MEDICAL_REVIEWERS, EDITORS]).exists()


def is_enrolled(user) -> bool:
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_code(user) -> bool:
    """Signed in with the password, but any confirmed device asks for its code as well."""
    return user_has_device(user) and not user.is_verified()


def pending_app(user) -> TOTPDevice:
    """The authenticator app being set up: a new secret, unconfirmed until a code from it
    is typed back. Opening the page again keeps the same secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False, name=APP_DEVICE_NAME).first()
    return device or TOTPDevice.objects.create(user=user, confirmed=False, name=APP_DEVICE_NAME)


def qr_svg(device: TOTPDevice) -> bytes:
    """The otpauth:// address as an SVG image, drawn on the server: no script, no inline style."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2
    )
    return image.to_string(encoding="unicode").encode()


def secret_text(device: TOTPDevice) -> str:
    """The secret in base 32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def confirm_app(device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the app with a code from it; returns fresh recovery codes, or None if the code
    was wrong. A confirmed app replaces any earlier one."""
    refuse_if_throttled([device])
    if not device.verify_token(normalise(code)):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save()
        return new_recovery_codes(device.user)


def new_recovery_codes(user) -> list[str]:
    """Ten new single-use codes, replacing any left: shown once, then stored only to be
    matched and deleted on use."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def normalise(code: str) -> str:
    return "".join((code or "").split()).lower()


def verify(user, code: str):
    """The device that accepts the code (the app's six digits or an unused recovery code, which
    is then spent), or None; CodeThrottled after wrong codes in a row. django-otp throttles each device after wrong codes."""
    code = normalise(code)
    # Digits go to the app, anything else to the recovery codes, so that a mistyped recovery
    # code does not slow down the app's next code (each device throttles on its own failures).
    kind = TOTPDevice if code.isdigit() else StaticDevice
    with transaction.atomic():
        devices = list(kind.objects.select_for_update().filter(user=user, confirmed=True))
        refuse_if_throttled(devices)
        for device in devices:
            if device.verify_token(code):
                return device
    return None
