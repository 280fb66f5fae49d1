import importlib

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from rongcuo.api import api
from rongcuo.core.routers import register

register(api)

ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#a4161a"/>'
    '<text x="16" y="23" font-size="18" text-anchor="middle" fill="#fff">容</text></svg>'
)


def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponse(ICON, content_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})


urlpatterns = [
    path("api/", api.urls),
    path("favicon.ico", favicon),
    path("", include("rongcuo.authoring.urls_assist")),  # 从原文起草
    path("notices/", include("rongcuo.notices.urls")),  # 站内信
]

# HTML apps (public portal, web workbench) add their URLconf when present.
for module, prefix in (("rongcuo.disclosure.urls", "public/"), ("rongcuo.web.urls", "")):
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise
        continue
    urlpatterns.append(path(prefix, include(module)))
