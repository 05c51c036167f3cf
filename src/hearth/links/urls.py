"""Pages under /w/<ws>/links/ (the public redirector /r/<code> is in hearth.urls)."""

from django.urls import path

from hearth.links import views

urlpatterns = [
    path("", views.links_list, name="links-list"),
    path("new/", views.link_new, name="links-new"),
    path("preview/", views.preview, name="links-preview"),
    path("utm/", views.utm_templates, name="links-utm"),
    path("<int:link_id>/", views.link_detail, name="links-detail"),
    path("<int:link_id>/toggle/", views.link_toggle, name="links-toggle"),
    path("<int:link_id>/delete/", views.link_delete, name="links-delete"),
]
