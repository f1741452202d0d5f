"""Domain errors -> google.rpc.Status with rich details (AIP-193). The interceptor uses this for
whole calls and the stream servicer for single items, so both look alike to a client.

Every status carries RequestInfo(request_id=correlation id), the id on the server's log lines for
the call. An unexpected exception becomes INTERNAL with that id and nothing of the exception itself:
its type, text and traceback go to the log only.
"""

from __future__ import annotations

import logging

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from sqlalchemy.exc import DBAPIError, OperationalError

from jdlens.v1 import common_pb2
from jdlens_server.errors import (
    FailedPrecondition,
    InvalidArgument,
    JdlensError,
    NotFound,
    ResourceExhausted,
    Unavailable,
    first_line,
)

ERROR_DOMAIN = "jdlens.v1"
# Retry hint for UNAVAILABLE when the domain gave none.
DEFAULT_RETRY_SECONDS = 1.0
DATABASE_UNAVAILABLE = (
    "the database could not complete this request (unreachable, busy, or a deadlock with another "
    "writer); its transaction was rolled back, so retrying the same request is safe"
)

log = logging.getLogger("jdlens.grpc")

_GRPC_CODES = {code.value[0]: code for code in grpc.StatusCode}


class DeadlineExceeded(Exception):
    """Too little of the caller's deadline is left to start the work."""


class NotConfigured(Exception):
    """The server was started without the component a method needs (UNIMPLEMENTED)."""


def grpc_code(status: status_pb2.Status) -> grpc.StatusCode:
    return _GRPC_CODES.get(status.code, grpc.StatusCode.UNKNOWN)


def _packed(*details: Message) -> list[any_pb2.Any]:
    packed = []
    for detail in details:
        holder = any_pb2.Any()
        holder.Pack(detail)
        packed.append(holder)
    return packed


def _retry(seconds: float) -> error_details_pb2.RetryInfo:
    delay = duration_pb2.Duration()
    delay.FromNanoseconds(int(seconds * 1e9))
    return error_details_pb2.RetryInfo(retry_delay=delay)


def _domain_status(exc: JdlensError) -> tuple[int, list[Message]]:
    if isinstance(exc, InvalidArgument):
        return code_pb2.INVALID_ARGUMENT, [
            error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description)
                    for v in exc.violations
                ]
            )
        ]
    if isinstance(exc, NotFound):
        return code_pb2.NOT_FOUND, [
            error_details_pb2.ResourceInfo(
                resource_type=exc.resource_type,
                resource_name=exc.resource_name,
                description=exc.description,
            )
        ]
    if isinstance(exc, FailedPrecondition):
        return code_pb2.FAILED_PRECONDITION, [
            error_details_pb2.PreconditionFailure(
                violations=[
                    error_details_pb2.PreconditionFailure.Violation(
                        type=v.type, subject=v.subject, description=v.description
                    )
                    for v in exc.violations
                ]
            )
        ]
    if isinstance(exc, ResourceExhausted):
        details: list[Message] = [
            error_details_pb2.QuotaFailure(
                violations=[
                    error_details_pb2.QuotaFailure.Violation(subject=v.subject, description=v.description)
                    for v in exc.violations
                ]
            )
        ]
        if exc.retry_after_seconds is not None:
            details.append(_retry(exc.retry_after_seconds))
        return code_pb2.RESOURCE_EXHAUSTED, details
    if isinstance(exc, Unavailable):
        seconds = exc.retry_after_seconds if exc.retry_after_seconds is not None else DEFAULT_RETRY_SECONDS
        return code_pb2.UNAVAILABLE, [_retry(seconds)]
    # A JdlensError subclass this layer does not know yet is a programming error, not the caller's.
    raise TypeError(f"unmapped domain error {type(exc).__name__}")


def to_rpc_status(exc: BaseException, correlation_id: str) -> status_pb2.Status:
    """The status a caller sees for ``exc``. Pure: logging is log_failure's job."""
    request_info = error_details_pb2.RequestInfo(request_id=correlation_id)
    if isinstance(exc, JdlensError):
        try:
            code, details = _domain_status(exc)
        except TypeError:
            return _internal(correlation_id)
        return status_pb2.Status(code=code, message=exc.message, details=_packed(*details, request_info))
    if isinstance(exc, DeadlineExceeded):
        return status_pb2.Status(
            code=code_pb2.DEADLINE_EXCEEDED, message=str(exc), details=_packed(request_info)
        )
    if isinstance(exc, NotConfigured):
        return status_pb2.Status(code=code_pb2.UNIMPLEMENTED, message=str(exc), details=_packed(request_info))
    if is_transient_database_error(exc):
        # The driver's text (hosts, SQL) stays in the log; the caller learns it may retry.
        return status_pb2.Status(
            code=code_pb2.UNAVAILABLE,
            message=DATABASE_UNAVAILABLE,
            details=_packed(_retry(DEFAULT_RETRY_SECONDS), request_info),
        )
    return _internal(correlation_id)


def is_transient_database_error(exc: BaseException) -> bool:
    """A database failure that a retry may not meet: the server unreachable or the connection
    lost, SQLite's lock wait run out, a PostgreSQL deadlock or serialization failure (SQLAlchemy
    wraps them all as OperationalError), or a connection the pool found dead."""
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def _internal(correlation_id: str) -> status_pb2.Status:
    info = error_details_pb2.ErrorInfo(
        reason="INTERNAL_ERROR", domain=ERROR_DOMAIN, metadata={"correlation_id": correlation_id}
    )
    return status_pb2.Status(
        code=code_pb2.INTERNAL,
        message=f"internal error; the server log has the details under correlation id {correlation_id}",
        details=_packed(info, error_details_pb2.RequestInfo(request_id=correlation_id)),
    )


def is_unexpected(exc: BaseException) -> bool:
    return to_rpc_status(exc, "").code == code_pb2.INTERNAL


def log_failure(exc: BaseException, correlation_id: str, method: str, **fields: object) -> None:
    """Log the traceback of an unexpected failure under its correlation id, and a database that
    failed (the caller was told UNAVAILABLE; the operator needs the driver's reason); expected
    ones need none."""
    if is_transient_database_error(exc):
        log.warning(
            "database unavailable in %s: %s",
            method,
            first_line(exc),
            extra={"method": method, "correlation_id": correlation_id, **fields},
        )
        return
    if is_unexpected(exc):
        log.error(
            "unexpected error in %s",
            method,
            exc_info=exc,
            extra={"method": method, "correlation_id": correlation_id, **fields},
        )


def item_error(status: status_pb2.Status) -> common_pb2.ItemError:
    """A per-item error with the same code, message and details as the status."""
    return common_pb2.ItemError(code=status.code, message=status.message, details=status.details)
