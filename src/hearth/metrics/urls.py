from django.urls import path

from hearth.metrics import views

P = "projects/<int:project_id>/metrics/"

urlpatterns = [
    path(P, views.project_metrics, name="metrics-project"),
    path(P + "channels/<int:channel_id>/", views.channel_metrics, name="metrics-channel"),
    path(P + "posts/<int:variant_id>/", views.post_metrics, name="metrics-post"),
    path(P + "report/", views.report_html, name="metrics-report"),
    path(P + "report.pdf", views.report_pdf, name="metrics-report-pdf"),
    path(P + "report.csv", views.report_csv, name="metrics-report-csv"),
]
