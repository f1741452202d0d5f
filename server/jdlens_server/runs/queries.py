"""Reading the run history: one run by name, and pages of runs newest first.

Pages use keyset pagination over (created_at desc, id desc): each page starts strictly after the
last row of the previous one, so runs stored while a client pages through appear on no page twice
and push no older run off a page (OFFSET paging would do both).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Row, Select, and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from jdlens.v1 import common_pb2, library_pb2, run_pb2
from jdlens_server import resource_names
from jdlens_server.errors import FieldViolation, InvalidArgument, NotFound
from jdlens_server.llm.backend import sum_usage
from jdlens_server.paging import (
    FilterValue,
    decode_page_token,
    encode_page_token,
    instant_from_key,
    instant_key,
)
from jdlens_server.proto_enums import enum_key
from jdlens_server.runs.masks import SUMMARY_PATHS, apply_read_mask
from jdlens_server.store.models import RoleRow, RunRow
from jdlens_server.store.run_blob import decode_run

RUN_TYPE = run_pb2.Run.DESCRIPTOR.full_name
ROLE_TYPE = library_pb2.Role.DESCRIPTOR.full_name
_PAGE_KIND = "runs"
# A page stops before its runs pass this many bytes, whatever page_size says: 500 whole runs
# (~100 KB each) would pass the 4 MB a gRPC client receives by default and the server's 16 MB send
# limit. A page always holds at least one run; next_page_token goes on from where it stopped.
PAGE_BYTES = 3 * 1024 * 1024
_FETCH_ROWS = 20  # rows read from the database at a time while a page fills


@dataclass(frozen=True, slots=True)
class RunFilters:
    """ListRuns filters. ``role`` is a role name ("roles/{id}"); ``status`` a RunStatus (0: any);
    ``created_after`` is inclusive, ``created_before`` exclusive."""

    role: str = ""
    status: int = run_pb2.RUN_STATUS_UNSPECIFIED
    created_after: datetime | None = None
    created_before: datetime | None = None

    def fingerprint(self) -> dict[str, FilterValue]:
        return {
            "role": self.role,
            "status": self.status,
            "after": instant_key(self.created_after) if self.created_after else None,
            "before": instant_key(self.created_before) if self.created_before else None,
        }


@dataclass(frozen=True, slots=True)
class RunPage:
    runs: list[run_pb2.Run]
    next_page_token: str
    # Usage summed over the runs of this page.
    page_usage: common_pb2.Usage = field(default_factory=common_pb2.Usage)


class RunQueries:
    """Read-only access to stored runs. Calls block on the database; run them off the event loop."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def get_run(self, name: str, read_mask: Sequence[str] = ()) -> run_pb2.Run:
        """The run named ``name`` ("runs/{uuid}"), restricted to ``read_mask`` when given."""
        run_id = resource_names.parse_run_name(name)
        if run_id is None:
            raise InvalidArgument(
                f"{name!r} is not a run name", [FieldViolation("name", "expected runs/{uuid}")]
            )
        with self._sessions() as session:
            row = session.execute(
                select(RunRow.run_proto, RunRow.run_codec).where(RunRow.id == run_id)
            ).first()
        if row is None:
            raise NotFound(RUN_TYPE, name)
        return apply_read_mask(decode_run(row.run_proto, row.run_codec), read_mask)

    def list_runs(
        self,
        filters: RunFilters,
        page_size: int,
        page_token: str = "",
        read_mask: Sequence[str] = (),
        max_bytes: int = PAGE_BYTES,
    ) -> RunPage:
        """Runs matching ``filters``, newest first, at most ``page_size`` of them and, past the
        first, no more than fit in ``max_bytes`` as sent (fewer than page_size with more to come:
        the next page token says so).

        ``read_mask`` defaults to SUMMARY_PATHS. A ``page_token`` must come from a previous page
        with the same filters (InvalidArgument otherwise); page_size may change between pages.
        """
        if page_size <= 0:
            raise ValueError("page_size must be positive")
        fingerprint = filters.fingerprint()
        after = decode_page_token(page_token, _PAGE_KIND, fingerprint, (int, str))
        with self._sessions() as session:
            query = self._filtered(session, filters)
            if after is not None:
                micros, last_id = after
                assert isinstance(micros, int) and isinstance(last_id, str)
                last_created = instant_from_key(micros)
                query = query.where(
                    or_(
                        RunRow.created_at < last_created,
                        and_(RunRow.created_at == last_created, RunRow.id < last_id),
                    )
                )
            query = query.order_by(RunRow.created_at.desc(), RunRow.id.desc()).limit(page_size + 1)
            mask = list(read_mask) or list(SUMMARY_PATHS)
            runs: list[run_pb2.Run] = []
            usages: list[common_pb2.Usage] = []
            last: Row[tuple[str, datetime, bytes, str]] | None = None
            more = False
            size = 0
            # In chunks: a page that stops at its byte budget does not read the runs after it.
            for row in session.execute(query.execution_options(yield_per=_FETCH_ROWS)):
                if len(runs) == page_size:  # the one row past the page: there is more
                    more = True
                    break
                run = decode_run(row.run_proto, row.run_codec)
                shown = apply_read_mask(run, mask)
                size += shown.ByteSize()
                if runs and size > max_bytes:
                    more = True  # the next page starts at this run
                    break
                runs.append(shown)
                usages.append(run.total_usage)
                last = row
        next_token = ""
        if more and last is not None:
            next_token = encode_page_token(_PAGE_KIND, fingerprint, [instant_key(last.created_at), last.id])
        return RunPage(runs=runs, next_page_token=next_token, page_usage=sum_usage(usages))

    def _filtered(self, session: Session, filters: RunFilters) -> Select[tuple[str, datetime, bytes, str]]:
        query = select(RunRow.id, RunRow.created_at, RunRow.run_proto, RunRow.run_codec)
        if filters.role:
            role_id = resource_names.parse_id_name(filters.role, resource_names.ROLES)
            if role_id is None or session.get(RoleRow, role_id) is None:
                raise NotFound(ROLE_TYPE, filters.role, "no such role to filter runs by")
            query = query.where(RunRow.chosen_role_id == role_id)
        if filters.status:
            query = query.where(RunRow.status == enum_key(run_pb2.RunStatus, filters.status))
        if filters.created_after is not None:
            query = query.where(RunRow.created_at >= filters.created_after)
        if filters.created_before is not None:
            query = query.where(RunRow.created_at < filters.created_before)
        return query
