"""The test install's URLs: Spirit at the site's root."""

from __future__ import annotations

from django.urls import include, path

import spirit.urls

urlpatterns = [path("", include(spirit.urls))]
