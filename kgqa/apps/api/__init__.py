"""The HTTP service: ``create_app(settings)`` builds the FastAPI app; ``kgqa serve`` runs it."""

from kgqa.apps.api.app import create_app

__all__ = ["create_app"]
