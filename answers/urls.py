from django.urls import include, path

from ops.pagecache import public_page

from .public import api, preview_links, translated, translated_contributors, views
from .public.caching import LISTING, tagged
from .public.feeds import RecentAnswersFeed
from .public.sitemaps import sitemap_index, sitemap_section

urlpatterns = [
    path("", views.home, name="home"),
    path("topics/", views.topics, name="topics"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("questions/<slug:slug>/", views.question, name="question"),
    path("questions/<slug:slug>/feedback/", views.feedback, name="question_feedback"),
    path(
        "questions/<slug:slug>/feedback/missing/",
        views.what_was_missing,
        name="question_missing",
    ),
    path("contributors/<slug:slug>/", views.contributor, name="contributor"),
    path("about/", views.site_pages, name="site_pages"),
    path("about/<slug:slug>/", views.site_page, name="site_page"),
    path("search/", views.search_page, name="search"),
    path("glossary/", views.glossary, name="glossary"),
    path("preview/<str:token>/", preview_links.preview, name="preview_link"),
    path("preview/<str:token>/comment/", preview_links.comment, name="preview_link_comment"),
    path("feed/", public_page(tagged(RecentAnswersFeed(), LISTING)), name="feed"),
    path("sitemap.xml", public_page(tagged(sitemap_index, LISTING)), name="sitemap"),
    path(
        "sitemap-<section>.xml",
        public_page(tagged(sitemap_section, LISTING), query=["p"]),
        name="sitemap_section",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("api/", include(api.urlpatterns)),
]

# The pages in a translation's language, at /<language>/… (qa_cms.urls puts them under
# i18n_patterns): the same paths as the English pages, which come first.
translated_urlpatterns = [
    path("", translated.translated_home, name="translated_home"),
    path("topics/", translated.translated_topics_page, name="translated_topics"),
    path("topics/<slug:slug>/", translated.translated_topic, name="translated_topic"),
    path("questions/<slug:slug>/", translated.translated_question, name="translated_question"),
    path("search/", translated.translated_search, name="translated_search"),
    path("feed/", translated.translated_feed, name="translated_feed"),
    path(
        "contributors/<slug:slug>/",
        translated_contributors.translated_contributor,
        name="translated_contributor",
    ),
]
