"""Errors a user can cause carry a message key so every interface can show them in the
user's language, without a traceback."""

from __future__ import annotations

from keepwise._core.i18n import Lang, t


class KeepwiseError(Exception):
    """Base of all errors a user can cause (bad file, bad config, unknown customer, …)."""

    exit_code = 2
    http_status = 400

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(t(key, "en", **params))

    def message(self, lang: Lang | str = "en") -> str:
        return t(self.key, lang, **self.params)


class ConfigError(KeepwiseError):
    """The workspace configuration is missing or wrong."""


class InputError(KeepwiseError):
    """An input file or argument cannot be used."""


class NotFoundError(KeepwiseError):
    """A customer, model or other object does not exist."""

    http_status = 404


class BusyError(KeepwiseError):
    """Another process holds the embedded database."""

    http_status = 409


class PermissionDenied(KeepwiseError):
    """The user's role does not allow the action."""

    http_status = 403


class DiskFullError(KeepwiseError):
    """A disk (the workspace's, its scratch folder's or the database server's) is full."""

    http_status = 507


class Unauthenticated(KeepwiseError):
    """No valid session or token, or a wrong user name or password."""

    http_status = 401


class TooManyAttempts(KeepwiseError):
    """Too many failed logins from one address for one user name: wait, then try again."""

    http_status = 429
