from django.urls import path

from hearth.strategy import views

P = "projects/<int:project_id>/"

urlpatterns = [
    path("projects/", views.project_list, name="project-list"),
    path("projects/new/", views.project_new, name="project-new"),
    path(P, views.project_detail, name="project-detail"),
    path(P + "edit/", views.project_edit, name="project-edit"),
    path(P + "canvas/", views.canvas_edit, name="canvas-edit"),
    path(P + "canvas/history/", views.canvas_history, name="canvas-history"),
    path(P + "portraits/new/", views.portrait_edit, name="portrait-new"),
    path(P + "portraits/<int:portrait_id>/edit/", views.portrait_edit, name="portrait-edit"),
    path(P + "portraits/<int:portrait_id>/fit/", views.portrait_fit, name="portrait-fit"),
    path(P + "goals/new/", views.goal_edit, name="goal-new"),
    path(P + "goals/<int:goal_id>/", views.goal_detail, name="goal-detail"),
    path(P + "goals/<int:goal_id>/edit/", views.goal_edit, name="goal-edit"),
    path(P + "goals/<int:goal_id>/measure/", views.goal_measure, name="goal-measure"),
    path(P + "goals/<int:goal_id>/import/", views.goal_import, name="goal-import"),
    path(P + "communities/new/", views.community_new, name="community-new"),
    path(
        P + "communities/<int:community_id>/delete/",
        views.community_delete,
        name="community-delete",
    ),
    path("catalogue/", views.catalogue, name="strategy-catalogue"),
]
