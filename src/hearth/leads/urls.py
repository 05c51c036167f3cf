from django.urls import path

from hearth.leads import views

P = "projects/<int:project_id>/leads/"

urlpatterns = [
    path(P, views.leads_dashboard, name="leads-dashboard"),
    path(P + "import/", views.leads_import, name="leads-import"),
]
