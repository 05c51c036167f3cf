from django.urls import path

from hearth.publishing import views

urlpatterns = [
    path("publishing/", views.health, name="publishing-health"),
    path(
        "publishing/variants/<int:variant_id>/attempts/", views.attempts, name="publishing-attempts"
    ),
    path("publishing/variants/<int:variant_id>/resolve/", views.resolve, name="publishing-resolve"),
]
