from django.http import JsonResponse
from django.urls import include, path


def bare(_request):
    """The peer server's bare route: no database, no authentication (our /healthz's twin)."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("bare", bare),
    path("helpdesk/", include("helpdesk.urls", namespace="helpdesk")),
]
