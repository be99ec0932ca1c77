from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from answers.admin import imports
from answers.urls import translated_urlpatterns
from ops.views import healthz

admin.site.site_header = "Patient answers CMS"
admin.site.site_title = "Patient answers CMS"
admin.site.index_title = "Editorial desk"

# An unreachable database answers 503 "try again in a minute", not 500 (ops.errors).
handler500 = "ops.errors.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path(
        "admin/import/articles/",
        admin.site.admin_view(imports.import_articles),
        name="import_articles",
    ),
    path(
        "admin/import/references/",
        admin.site.admin_view(imports.import_references),
        name="import_references",
    ),
    path(
        "admin/import/<int:job_id>/",
        admin.site.admin_view(imports.import_job),
        name="import_job",
    ),
    path(
        "admin/import/format/",
        admin.site.admin_view(imports.article_format),
        name="import_format",
    ),
    path(
        "admin/import/<int:job_id>/confirm/",
        admin.site.admin_view(imports.confirm_import),
        name="import_job_confirm",
    ),
    path("admin/two-factor/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("", include("answers.urls")),
]
# /es/… and the other translation languages; English keeps its addresses (no prefix).
urlpatterns += i18n_patterns(*translated_urlpatterns, prefix_default_language=False)
