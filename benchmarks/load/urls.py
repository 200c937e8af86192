"""The portal's URLs plus /bench/minimal/, a view that does nothing, for the ratio."""

from django.http import HttpResponse
from django.urls import include, path


def minimal(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/minimal/", minimal),
    path("", include("svd_portal.urls")),
]
