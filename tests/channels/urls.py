"""The project's URLs plus the OAuth callbacks, until ``hearth/urls.py`` includes them."""

from django.urls import include, path

from hearth.urls import urlpatterns as project_urlpatterns

urlpatterns = list(project_urlpatterns)
if not any(str(entry.pattern) == "oauth/" for entry in urlpatterns):
    urlpatterns.append(path("oauth/", include("hearth.channels.oauth_urls")))
