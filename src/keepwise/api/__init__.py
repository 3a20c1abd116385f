"""The REST API (docs/api.md): :func:`create_app` builds the FastAPI application on a
workspace; routes call only the workspace's services, as the viewer who called."""

from keepwise.api.app import create_app

__all__ = ["create_app"]
