from django.urls import path

from hearth.content import views, views_manage, views_media

P = "projects/<int:project_id>/"

urlpatterns = [
    path("plan/", views.plan_index, name="content-index"),
    path(P + "plan/", views.plan, name="content-plan"),
    path(P + "plan/new/", views.compose, name="content-compose"),
    path(P + "plan/import/", views_manage.plan_import, name="content-import"),
    path(P + "plan/export.csv", views_manage.plan_export, name="content-export"),
    path(P + "plan/feeds/", views_manage.feed_issue, name="content-feed-issue"),
    path(P + "channels/", views_manage.channels, name="content-channels"),
    path(P + "channels/new/", views_manage.channel_edit, name="content-channel-new"),
    path(
        P + "channels/<int:channel_id>/edit/",
        views_manage.channel_edit,
        name="content-channel-edit",
    ),
    path(P + "rubrics/new/", views_manage.rubric_new, name="content-rubric-new"),
    path(P + "tasks/", views_manage.tasks, name="content-tasks"),
    path(P + "tasks/new/", views_manage.task_new, name="content-task-new"),
    path("tasks/<int:task_id>/", views_manage.task_detail, name="content-task"),
    path("tasks/<int:task_id>/move/", views_manage.task_move, name="content-task-move"),
    path("tasks/<int:task_id>/comment/", views_manage.task_comment, name="content-task-comment"),
    path("content/<int:item_id>/", views.item_detail, name="content-item"),
    path("content/<int:item_id>/comment/", views.item_comment, name="content-item-comment"),
    path("variants/<int:variant_id>/edit/", views.variant_edit, name="content-variant-edit"),
    path("variants/<int:variant_id>/action/", views.variant_action, name="content-variant-action"),
    path(
        "variants/<int:variant_id>/reschedule/",
        views.variant_reschedule,
        name="content-variant-reschedule",
    ),
    path("feeds/<int:feed_id>/revoke/", views_manage.feed_revoke, name="content-feed-revoke"),
    path("measure/", views.measure, name="content-measure"),
    path(P + "media/", views_media.library, name="content-media"),
    path("media/<int:asset_id>/", views_media.media_file, name="content-media-file"),
    path(
        "variants/<int:variant_id>/media/", views_media.variant_media, name="content-variant-media"
    ),
]
