from django.conf import settings
from django.contrib import admin
from django.shortcuts import render


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: the admin's own page saying the account is
    locked, for how long, and whom to ask (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        **admin.site.each_context(request),
        "title": "Account locked",
        "username": (credentials or {}).get("username") or request.POST.get("username", ""),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": minutes,
        "contact": settings.AXES_LOCKOUT_CONTACT,
    }
    return render(request, "admin/locked_out.html", context, status=429)
