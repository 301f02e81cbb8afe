"""URLconf for a local Bitpoll started by `nix run` (bitpoll-local).

Bitpoll's own URLs, plus its collected static files served from STATIC_ROOT
by Django's static view, which refuses paths outside the root. Production
deployments serve /static/ from the web server instead (the NixOS module's
nginx virtual host).
"""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from bitpoll.urls import urlpatterns as bitpoll_urlpatterns

urlpatterns = [
    re_path(
        r"^" + settings.STATIC_URL.lstrip("/") + r"(?P<path>.*)$",
        serve,
        {"document_root": settings.STATIC_ROOT},
    ),
    *bitpoll_urlpatterns,
]
