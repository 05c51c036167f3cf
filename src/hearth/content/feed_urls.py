"""Secret calendar URLs, outside /w/<ws>/: the token is the key, calendar apps can't log in."""

from django.urls import path

from hearth.content import views_manage

urlpatterns = [
    path("content/<str:token>.ics", views_manage.ical_feed, name="content-ical"),
]
