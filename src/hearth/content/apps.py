from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "hearth.content"
    verbose_name = "Content"
