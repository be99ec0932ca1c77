"""The admin's two-factor pages: set up an authenticator app, type a code after the password,
get new recovery codes. Each is wrapped by `admin.site.admin_view` (staff only)."""

import django_otp
from django.contrib import admin, messages
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from . import two_factor
from .forms import CodeForm

WRONG_CODE = (
    "That code was not right. Type the six digits your authenticator app shows now, "
    "or one of your unused recovery codes."
)


def _render(request, template, title, **context):
    context = {**admin.site.each_context(request), "title": title, **context}
    return TemplateResponse(request, template, context)


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


@never_cache
def overview(request):
    user = request.user
    return _render(
        request,
        "admin/two_factor/overview.html",
        "Two-factor sign-in",
        enrolled=two_factor.is_enrolled(user),
        required=two_factor.must_use_two_factor(user),
        codes_left=two_factor.recovery_codes_left(user),
    )


@never_cache
def enrol(request):
    """Show the QR code and the secret of a new app; a code from the app confirms it, and the
    recovery codes are shown once, on the page that answers that POST."""
    user = request.user
    if two_factor.needs_code(user):
        # Replacing the app needs the code of the present one first.
        return redirect(f"{reverse('two_factor_verify')}?next={reverse('two_factor_enrol')}")
    device = two_factor.pending_app(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_app(device, form.cleaned_data["code"])
        except two_factor.CodeThrottled as throttled:
            form.add_error("code", str(throttled))
            codes = ()
        if codes:
            django_otp.login(request, device)
            return _render(
                request,
                "admin/two_factor/recovery_codes.html",
                "Two-factor sign-in is on",
                codes=codes,
                first_time=True,
            )
        elif codes is None:
            form.add_error(
                "code", "That code was not right. Type the six digits the app shows now."
            )
    return _render(
        request,
        "admin/two_factor/enrol.html",
        "Set up two-factor sign-in",
        form=form,
        secret=two_factor.secret_text(device),
        required=two_factor.must_use_two_factor(user),
    )


@never_cache
def qr_code(request):
    """The QR image of the app being set up; once confirmed, its secret is never shown again."""
    device = two_factor.pending_app(request.user)
    return HttpResponse(two_factor.qr_svg(device), content_type="image/svg+xml")


@never_cache
def verify(request):
    user = request.user
    if not two_factor.needs_code(user):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.verify(user, form.cleaned_data["code"])
        except two_factor.CodeThrottled as throttled:
            form.add_error("code", str(throttled))
            device = False
        if device:
            django_otp.login(request, device)
            if device.name == two_factor.RECOVERY_DEVICE_NAME:
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; it cannot be used again. "
                    f"{left} recovery code{'s' if left != 1 else ''} left.",
                )
            return redirect(_next(request))
        if device is None:
            form.add_error("code", WRONG_CODE)
    return _render(
        request,
        "admin/two_factor/verify.html",
        "Two-factor sign-in",
        form=form,
        next=_next(request),
    )


@never_cache
def recovery_codes(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not two_factor.is_enrolled(request.user):
        messages.error(request, "Set up an authenticator app first.")
        return redirect("two_factor")
    return _render(
        request,
        "admin/two_factor/recovery_codes.html",
        "New recovery codes",
        codes=two_factor.new_recovery_codes(request.user),
        first_time=False,
    )
