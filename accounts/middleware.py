from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from . import two_factor


class TwoFactorMiddleware:
    """In the admin, a staff member with a two-factor device types its code after the password
    before anything else; with REQUIRE_2FA on, those who must use it set it up first.
    After django_otp's OTPMiddleware, which tells whether this session typed a code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.redirect_for(request) or self.get_response(request)

    def redirect_for(self, request):
        if not request.path.startswith(reverse("admin:index")):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return None
        allowed = {reverse("admin:logout"), reverse("two_factor_verify")}
        if two_factor.needs_code(user):
            if request.path in allowed:
                return None
            return redirect(f"{reverse('two_factor_verify')}?{urlencode({'next': request.path})}")
        if two_factor.must_use_two_factor(user) and not two_factor.is_enrolled(user):
            allowed |= {reverse("two_factor_enrol"), reverse("two_factor_qr")}
            if request.path in allowed:
                return None
            return redirect("two_factor_enrol")
        return None
