from django.urls import path

from rongcuo.api import api

urlpatterns = [
    path("api/", api.urls),
]
