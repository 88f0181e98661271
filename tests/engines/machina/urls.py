"""The test install's URLs: the forum at the site's root."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [path("", include("machina.urls"))]
