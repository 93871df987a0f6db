"""The browser page: a chat panel and the concept map, served by the HTTP service (``mount_web``)."""

from kgqa.apps.web.mount import mount_web

__all__ = ["mount_web"]
