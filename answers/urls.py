from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from .public import api, views
from .public.feeds import RecentAnswersFeed
from .public.sitemaps import sitemap_index, sitemaps

urlpatterns = [
    path("", views.home, name="home"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("questions/<slug:slug>/", views.question, name="question"),
    path("questions/<slug:slug>/feedback/", views.feedback, name="question_feedback"),
    path("search/", views.search_page, name="search"),
    path("feed/", RecentAnswersFeed(), name="feed"),
    path("sitemap.xml", sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap_section"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("api/", include(api.urlpatterns)),
]
