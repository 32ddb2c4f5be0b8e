"""Refusals of the service layer, named as facts and without an HTTP status (``api.errors``
maps each class to one; the CLI prints the message)."""

from __future__ import annotations


class NotFound(Exception):
    """Nothing with this id that the caller may see (another tenant's id reads the same)."""


class Forbidden(Exception):
    """The caller's role may not do this."""
