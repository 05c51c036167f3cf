from django.http import JsonResponse
from django.views.decorators.http import require_GET

from hearth.system.health import health_report


@require_GET
def health(request):
    report, ok = health_report()
    return JsonResponse(report, status=200 if ok else 503)
