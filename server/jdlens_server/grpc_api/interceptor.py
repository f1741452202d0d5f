"""The one interceptor: the only place an exception becomes a status code, and one log line per call.

It wraps every method's behaviour (unary and streaming, async-generator and reader/writer style):
the call gets a correlation id, a domain error raised anywhere in it (also mid-stream, after
responses went out) is turned into a status with rich details by status_mapping, an unexpected one
into INTERNAL with the id and no trace, and when the call ends one JSON line records method, code,
duration and correlation id.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from typing import Any, NoReturn

import grpc
from google.protobuf.message import DecodeError
from grpc import aio

from jdlens_server.errors import FieldViolation, InvalidArgument
from jdlens_server.grpc_api import correlation
from jdlens_server.grpc_api.status_mapping import grpc_code, log_failure, to_rpc_status

log = logging.getLogger("jdlens.grpc")

STATUS_DETAILS_KEY = "grpc-status-details-bin"

Context = aio.ServicerContext[Any, Any]


class _Call:
    """Bookkeeping for one call: correlation id, clock, final code, the log line."""

    def __init__(self, method: str, context: Context) -> None:
        self.method = method
        self.context = context
        self.correlation_id = correlation.from_metadata(context.invocation_metadata())
        # Read while the call is live: grpc core's peer string belongs to the transport, and
        # reading it after the client cancelled (killed mid-stream) is a use-after-free that
        # crashed the process in a test (grpc/grpc#29927).
        self.peer = context.peer()
        self.code = grpc.StatusCode.OK
        self._started = time.perf_counter()
        self._token = correlation.current.set(self.correlation_id)
        context.set_trailing_metadata(((correlation.METADATA_KEY, self.correlation_id),))

    async def fail(self, exc: Exception) -> NoReturn:
        status = to_rpc_status(exc, self.correlation_id)
        self.code = grpc_code(status)
        log_failure(exc, self.correlation_id, self.method)
        await self.context.abort(
            self.code,
            status.message,
            (
                (STATUS_DETAILS_KEY, status.SerializeToString()),
                (correlation.METADATA_KEY, self.correlation_id),
            ),
        )
        raise AssertionError("abort returned")  # pragma: no cover - abort always raises

    def aborted(self) -> None:
        """The behaviour aborted the call itself (e.g. health's NOT_FOUND)."""
        code = self.context.code()
        self.code = code if isinstance(code, grpc.StatusCode) else grpc.StatusCode.UNKNOWN

    def cancelled(self) -> None:
        remaining = self.context.time_remaining()
        expired = remaining is not None and remaining <= 0
        self.code = grpc.StatusCode.DEADLINE_EXCEEDED if expired else grpc.StatusCode.CANCELLED

    def finish(self) -> None:
        # A stream closed from another context (a generator finalizer) has nothing to restore.
        with contextlib.suppress(ValueError):
            correlation.current.reset(self._token)
        level = logging.INFO
        if self.code in (grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN):
            level = logging.ERROR
        elif self.code is not grpc.StatusCode.OK:
            level = logging.WARNING
        duration_ms = round((time.perf_counter() - self._started) * 1000, 2)
        # The message reads on its own in a plain-text log; the fields are there for JSON logs.
        log.log(
            level,
            "rpc %s %s %.1f ms cid=%s",
            self.method,
            self.code.name,
            duration_ms,
            self.correlation_id,
            extra={
                "method": self.method,
                "code": self.code.name,
                "duration_ms": duration_ms,
                "correlation_id": self.correlation_id,
                "peer": self.peer,
            },
        )


@contextlib.asynccontextmanager
async def _guarded(method: str, context: Context) -> AsyncIterator[_Call]:
    """One call's lifetime: every way it can end is recorded, and an exception becomes a status."""
    call = _Call(method, context)
    try:
        yield call
    except aio.AbortError:
        call.aborted()
        raise
    except (asyncio.CancelledError, GeneratorExit):
        call.cancelled()
        raise
    except Exception as exc:
        await call.fail(exc)
    finally:
        call.finish()


class _Undecodable:
    """What bytes that are not a valid request message deserialize to (e.g. a string field that is
    not UTF-8, which a client in another language can send). Left to gRPC, the parse error would
    be an UNKNOWN status with a server-side trace; the wrapped behaviour makes it INVALID_ARGUMENT."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def refuse(self) -> NoReturn:
        hint = (
            "protobuf string fields must be UTF-8: decode the JD text to Unicode before sending"
            if "UTF-8" in self.reason
            else "send a serialized message of the method's request type"
        )
        raise InvalidArgument(
            f"the request could not be decoded ({self.reason}); {hint}", [FieldViolation("request", hint)]
        )


def _tolerant(deserializer: Callable[[bytes], Any] | None) -> Callable[[bytes], Any] | None:
    if deserializer is None:
        return None

    def parse(data: bytes) -> Any:
        try:
            return deserializer(data)
        except DecodeError as exc:
            return _Undecodable(str(exc).split(": ", 1)[-1])

    return parse


async def _checked(requests: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """A request stream in which an undecodable message ends the call with INVALID_ARGUMENT."""
    async for request in requests:
        if isinstance(request, _Undecodable):
            request.refuse()
        yield request


def _decoded(request_or_iterator: Any) -> Any:
    if isinstance(request_or_iterator, _Undecodable):
        request_or_iterator.refuse()
    if hasattr(request_or_iterator, "__aiter__"):
        return _checked(request_or_iterator)
    return request_or_iterator


def _wrap_unary_response(method: str, behavior: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def handle(request_or_iterator: Any, context: Context) -> Any:
        async with _guarded(method, context):
            result = behavior(_decoded(request_or_iterator), context)
            return await result if inspect.isawaitable(result) else result

    return handle


def _wrap_stream_response(method: str, behavior: Callable[..., Any]) -> Callable[..., Any]:
    if inspect.iscoroutinefunction(behavior):
        # Reader/writer style (context.write): the behaviour is a coroutine; so is the wrapper.
        return _wrap_unary_response(method, behavior)

    async def handle(request_or_iterator: Any, context: Context) -> AsyncIterator[Any]:
        async with _guarded(method, context):
            responses = behavior(_decoded(request_or_iterator), context)
            if hasattr(responses, "__aiter__"):
                async with aclosing(responses) as stream:
                    async for response in stream:
                        yield response
            else:
                for response in responses:
                    yield response

    return handle


class ErrorInterceptor(aio.ServerInterceptor):  # type: ignore[type-arg]
    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler[Any, Any]]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler[Any, Any]:
        handler = await continuation(handler_call_details)
        if handler is None:  # unknown method: gRPC answers UNIMPLEMENTED itself
            return handler
        method = handler_call_details.method
        wrap_args = {
            "request_deserializer": _tolerant(handler.request_deserializer),
            "response_serializer": handler.response_serializer,
        }
        if handler.unary_unary is not None:
            return grpc.unary_unary_rpc_method_handler(
                _wrap_unary_response(method, handler.unary_unary), **wrap_args
            )
        if handler.stream_unary is not None:
            return grpc.stream_unary_rpc_method_handler(
                _wrap_unary_response(method, handler.stream_unary), **wrap_args
            )
        if handler.unary_stream is not None:
            return grpc.unary_stream_rpc_method_handler(
                _wrap_stream_response(method, handler.unary_stream), **wrap_args
            )
        assert handler.stream_stream is not None
        return grpc.stream_stream_rpc_method_handler(
            _wrap_stream_response(method, handler.stream_stream), **wrap_args
        )
