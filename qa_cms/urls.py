from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Patient answers CMS"
admin.site.site_title = "Patient answers CMS"
admin.site.index_title = "Editorial desk"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("answers.urls")),
]
