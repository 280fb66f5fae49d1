import importlib

from django.urls import include, path

from rongcuo.api import api
from rongcuo.core.routers import register

register(api)

urlpatterns = [
    path("api/", api.urls),
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
