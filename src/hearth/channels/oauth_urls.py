"""OAuth callbacks at fixed, workspace-free addresses (``/oauth/…``).

Each is registered once with the network (Mastodon app, VK ID app), so it cannot carry
the workspace; the single-use ``state`` tells which workspace and channel it is for.
"""

from django.urls import path

from hearth.channels import oauth_views

urlpatterns = [
    path("mastodon/callback/", oauth_views.mastodon_callback, name="oauth-mastodon-callback"),
    path("vk/callback/", oauth_views.vk_callback, name="oauth-vk-callback"),
]
