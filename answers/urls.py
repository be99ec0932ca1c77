from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("topics/<slug:slug>/", views.topic, name="topic"),
    path("questions/<slug:slug>/", views.question, name="question"),
]
