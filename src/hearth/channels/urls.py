from django.urls import path

from hearth.channels import views

urlpatterns = [
    path("channels/<int:channel_id>/connect/", views.connect, name="channel-connect"),
    path("channels/<int:channel_id>/check/", views.check, name="channel-check"),
]
