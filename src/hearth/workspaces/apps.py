from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "hearth.workspaces"
    verbose_name = "Workspaces"
