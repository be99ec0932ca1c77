from django.contrib import admin
from django.urls import path

from . import views

urlpatterns = [
    path("", admin.site.admin_view(views.overview), name="two_factor"),
    path("set-up/", admin.site.admin_view(views.enrol), name="two_factor_enrol"),
    path("set-up/qr.svg", admin.site.admin_view(views.qr_code), name="two_factor_qr"),
    path("code/", admin.site.admin_view(views.verify), name="two_factor_verify"),
    path(
        "recovery-codes/",
        admin.site.admin_view(views.recovery_codes),
        name="two_factor_recovery_codes",
    ),
]
