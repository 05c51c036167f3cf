from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "hearth.channels"
    label = "hearth_channels"
    verbose_name = "Channels"
