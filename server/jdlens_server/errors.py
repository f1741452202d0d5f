"""Domain errors. The core raises these; the gRPC layer's one interceptor turns them into status codes
with google.rpc rich details. Nothing here knows about gRPC."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One bad field of a request: its path (e.g. ``jd.text``) and what to do about it."""

    field: str
    description: str


@dataclass(frozen=True, slots=True)
class PreconditionViolation:
    """A state that must hold first: ``type`` (e.g. ``STAGE``), the subject, and what to do."""

    type: str
    subject: str
    description: str


class JdlensError(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(JdlensError):
    """The request is malformed: INVALID_ARGUMENT with BadRequest field violations."""

    def __init__(self, message: str, violations: list[FieldViolation]) -> None:
        super().__init__(message)
        self.violations = violations


class NotFound(JdlensError):
    """A named resource does not exist: NOT_FOUND with ResourceInfo."""

    def __init__(self, resource_type: str, resource_name: str, description: str = "") -> None:
        suffix = f": {description}" if description else ""
        super().__init__(f"{resource_type} {resource_name!r} not found{suffix}")
        self.resource_type = resource_type
        self.resource_name = resource_name
        self.description = description or "no such resource"


class FailedPrecondition(JdlensError):
    """The request is valid but the system is not in a state to serve it: FAILED_PRECONDITION."""

    def __init__(self, message: str, violations: list[PreconditionViolation]) -> None:
        super().__init__(message)
        self.violations = violations


@dataclass(frozen=True, slots=True)
class QuotaViolation:
    subject: str
    description: str


class ResourceExhausted(JdlensError):
    """A limit was hit (in-flight work, size, rate): RESOURCE_EXHAUSTED with QuotaFailure and a retry hint."""

    def __init__(
        self, message: str, violations: list[QuotaViolation], retry_after_seconds: float | None = None
    ) -> None:
        super().__init__(message)
        self.violations = violations
        self.retry_after_seconds = retry_after_seconds


class Unavailable(JdlensError):
    """A dependency (model API, database) cannot be reached right now: UNAVAILABLE, safe to retry."""

    def __init__(self, message: str, retry_after_seconds: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class SetupError(Exception):
    """The process cannot run as configured (no API key for the anthropic backend, a library
    embedded with another model): the message says what to do; commands print it and exit 2.
    Here, beside the other domain errors, so that the CLI catches it without importing the
    modules that raise it."""


def first_line(error: BaseException) -> str:
    """An exception's message in one line (a driver's can run to many, with the SQL), else its
    type's name: for the log and for messages that must stay short."""
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__
