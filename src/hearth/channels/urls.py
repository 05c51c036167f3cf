from django.urls import path

from hearth.channels import oauth_views, views

urlpatterns = [
    path("channels/<int:channel_id>/connect/", views.connect, name="channel-connect"),
    path("channels/<int:channel_id>/check/", views.check, name="channel-check"),
    path(
        "channels/<int:channel_id>/oauth/mastodon/",
        oauth_views.mastodon_start,
        name="channel-oauth-mastodon",
    ),
    path("channels/<int:channel_id>/oauth/vk/", oauth_views.vk_start, name="channel-oauth-vk"),
    path(
        "channels/<int:channel_id>/oauth/vk/community/",
        oauth_views.vk_community,
        name="channel-oauth-vk-community",
    ),
]
