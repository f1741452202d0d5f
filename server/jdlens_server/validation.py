"""Request validation: every malformed field of a request becomes one FieldViolation, and a request
with any is refused with InvalidArgument before the core sees it. Pure functions over the request
messages; the gRPC layer calls them and its interceptor turns the error into INVALID_ARGUMENT.

Field paths follow the request message (``jd.text``, ``options.top_k``, ``read_mask.paths[2]``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from google.protobuf import field_mask_pb2, timestamp_pb2

from jdlens.v1 import (
    common_pb2,
    library_pb2,
    library_service_pb2,
    pipeline_service_pb2,
    run_pb2,
    run_service_pb2,
)
from jdlens_server import resource_names
from jdlens_server.errors import FieldViolation, InvalidArgument
from jdlens_server.proto_enums import is_defined
from jdlens_server.runs.masks import invalid_paths

MAX_JD_CHARS = 100_000
MAX_TITLE_CHARS = 1_000
MAX_IDEMPOTENCY_KEY_CHARS = 128
MAX_REQUEST_ID_CHARS = 128
DEFAULT_TOP_K = 5
MAX_TOP_K = 50
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
DEFAULT_SEARCH_SIZE = 10
MAX_SEARCH_SIZE = 100
MAX_SEARCH_QUERY_CHARS = 500
MAX_NOTE_CHARS = 4_000
MAX_PACK_CHARS = 20

if TYPE_CHECKING:
    from google.protobuf.internal.enum_type_wrapper import _EnumTypeWrapper

T = TypeVar("T")
E = TypeVar("E", bound=int)

# Earliest and latest instants a google.protobuf.Timestamp may hold (years 1 to 9999).
_MIN_SECONDS = -62_135_596_800
_MAX_SECONDS = 253_402_300_799


class _Violations:
    def __init__(self) -> None:
        self.items: list[FieldViolation] = []

    def add(self, field: str, description: str) -> None:
        self.items.append(FieldViolation(field, description))

    def raise_if_any(self, request: str) -> None:
        if self.items:
            listed = "; ".join(f"{v.field}: {v.description}" for v in self.items)
            raise InvalidArgument(f"invalid {request}: {listed}", self.items)


def page_size_or_default(page_size: int, default: int = DEFAULT_PAGE_SIZE) -> int:
    return page_size or default


# ---- shared field checks -------------------------------------------------------------------


def _text_problems(text: str, field_label: str, limit: int) -> list[str]:
    problems = []
    if len(text) > limit:
        problems.append(f"{field_label} is {len(text):,} characters; the limit is {limit:,}")
    if text and not text.strip():
        problems.append(f"{field_label} is only whitespace")
    if "\x00" in text:
        problems.append(f"{field_label} contains NUL characters")
    return problems


def _check_jd(v: _Violations, jd: pipeline_service_pb2.JdInput, prefix: str = "jd") -> None:
    if not jd.text and not jd.title:
        v.add(f"{prefix}.text", "required: give the JD text, or a title for a title-only request")
        return
    for problem in _text_problems(jd.text, "the JD text", MAX_JD_CHARS):
        v.add(f"{prefix}.text", problem)
    for problem in _text_problems(jd.title, "the title", MAX_TITLE_CHARS):
        v.add(f"{prefix}.title", problem)


def _check_options(v: _Violations, options: run_pb2.RunOptions, prefix: str = "options") -> None:
    if not 0 <= options.top_k <= MAX_TOP_K:
        v.add(
            f"{prefix}.top_k",
            f"must be between 1 and {MAX_TOP_K} (0 means the default, {DEFAULT_TOP_K}); got {options.top_k}",
        )
    if not is_defined(common_pb2.Backend, options.backend):
        v.add(f"{prefix}.backend", f"unknown backend {options.backend}")
    elif options.use_message_batches and options.backend == common_pb2.BACKEND_OFFLINE:
        v.add(
            f"{prefix}.use_message_batches",
            "the Message Batches API needs the anthropic backend; the offline backend calls no model",
        )


def _check_free_text(v: _Violations, value: str, field: str, limit: int) -> None:
    if len(value) > limit:
        v.add(field, f"is {len(value):,} characters; the limit is {limit:,}")
    if any(ch < " " or ch == "\x7f" for ch in value):
        v.add(field, "must not contain control characters")
    if value and not value.strip():
        v.add(field, "is only whitespace")


def _check_read_mask(v: _Violations, mask: field_mask_pb2.FieldMask, field: str = "read_mask") -> None:
    bad = set(invalid_paths(mask.paths))
    for i, path in enumerate(mask.paths):
        if path in bad:
            v.add(
                f"{field}.paths[{i}]",
                f"{path!r} is not a field of {run_pb2.Run.DESCRIPTOR.full_name} "
                "(use snake_case field names joined by '.', e.g. 'extraction.decision')",
            )


def _check_page(v: _Violations, page_size: int, maximum: int, field: str = "page_size") -> None:
    if page_size < 0:
        v.add(field, f"must not be negative; got {page_size}")
    elif page_size > maximum:
        v.add(field, f"must be at most {maximum}; got {page_size}")


def _check_name(
    v: _Violations,
    name: str,
    field: str,
    parse: Callable[[str], T | None],
    pattern: str,
    required: bool = True,
) -> T | None:
    if not name:
        if required:
            v.add(field, f"required: a resource name of the form {pattern}")
        return None
    parsed = parse(name)
    if parsed is None:
        v.add(field, f"{name!r} is not a resource name of the form {pattern}")
    return parsed


def _run_name(v: _Violations, name: str, field: str) -> str | None:
    return _check_name(v, name, field, resource_names.parse_run_name, "runs/{uuid}, lowercase")


def _id_name(v: _Violations, name: str, field: str, collection: str, required: bool = True) -> int | None:
    return _check_name(
        v,
        name,
        field,
        lambda n: resource_names.parse_id_name(n, collection),
        collection + "/{id} (a positive integer id)",
        required,
    )


def _check_timestamp(v: _Violations, ts: timestamp_pb2.Timestamp, field: str) -> bool:
    if _MIN_SECONDS <= ts.seconds <= _MAX_SECONDS and 0 <= ts.nanos < 1_000_000_000:
        return True
    v.add(field, "is not a valid timestamp (years 1 to 9999, nanos 0..999,999,999)")
    return False


def _check_enum(v: _Violations, enum_type: _EnumTypeWrapper[E], value: int, field: str) -> None:
    if not is_defined(enum_type, value):
        v.add(field, f"unknown value {value}")


def _check_pack(v: _Violations, pack: str) -> None:
    if pack and not (len(pack) <= MAX_PACK_CHARS and pack.replace("_", "").replace("-", "").isalnum()):
        v.add("pack", f"{pack!r} is not a pack name such as 'esco', 'onet' or 'review'")


# ---- PipelineService ---------------------------------------------------------------------------


def _check_analysis(
    v: _Violations,
    jd: pipeline_service_pb2.JdInput,
    options: run_pb2.RunOptions,
    idempotency_key: str,
    read_mask: field_mask_pb2.FieldMask,
) -> None:
    _check_jd(v, jd)
    _check_options(v, options)
    _check_free_text(v, idempotency_key, "idempotency_key", MAX_IDEMPOTENCY_KEY_CHARS)
    _check_read_mask(v, read_mask)


def check_extract_from_jd(req: pipeline_service_pb2.ExtractFromJdRequest) -> None:
    v = _Violations()
    _check_analysis(v, req.jd, req.options, req.idempotency_key, req.read_mask)
    v.raise_if_any("ExtractFromJdRequest")


def check_analyze_jd(req: pipeline_service_pb2.AnalyzeJdRequest) -> None:
    v = _Violations()
    _check_analysis(v, req.jd, req.options, req.idempotency_key, req.read_mask)
    v.raise_if_any("AnalyzeJdRequest")


def check_stream_item(req: pipeline_service_pb2.AnalyzeJdStreamRequest) -> None:
    v = _Violations()
    if not req.request_id:
        v.add("request_id", "required: a client-chosen id, unique within the stream")
    else:
        _check_free_text(v, req.request_id, "request_id", MAX_REQUEST_ID_CHARS)
    _check_analysis(v, req.jd, req.options, req.idempotency_key, req.read_mask)
    v.raise_if_any("AnalyzeJdStreamRequest")


def _check_run_call(run: str, read_mask: field_mask_pb2.FieldMask, request: str, field: str = "run") -> str:
    """A request naming one run (in ``field``) with a read mask over it: the run id."""
    v = _Violations()
    run_id = _run_name(v, run, field)
    _check_read_mask(v, read_mask)
    v.raise_if_any(request)
    assert run_id is not None
    return run_id


def check_extract_details(req: pipeline_service_pb2.ExtractDetailsRequest) -> str:
    """The run id of a valid request."""
    return _check_run_call(req.run, req.read_mask, "ExtractDetailsRequest")


def check_finalize_role(req: pipeline_service_pb2.FinalizeRoleRequest) -> str:
    return _check_run_call(req.run, req.read_mask, "FinalizeRoleRequest")


# ---- RunService --------------------------------------------------------------------------------


def check_get_run(req: run_service_pb2.GetRunRequest) -> str:
    return _check_run_call(req.name, req.read_mask, "GetRunRequest", field="name")


def check_list_runs(req: run_service_pb2.ListRunsRequest) -> None:
    v = _Violations()
    _check_page(v, req.page_size, MAX_PAGE_SIZE)
    _id_name(v, req.role, "role", resource_names.ROLES, required=False)
    _check_enum(v, run_pb2.RunStatus, req.status, "status")
    has_after, has_before = req.HasField("create_time_after"), req.HasField("create_time_before")
    after_ok = has_after and _check_timestamp(v, req.create_time_after, "create_time_after")
    before_ok = has_before and _check_timestamp(v, req.create_time_before, "create_time_before")
    after, before = req.create_time_after.ToNanoseconds(), req.create_time_before.ToNanoseconds()
    if after_ok and before_ok and after >= before:
        v.add("create_time_before", "must be later than create_time_after")
    _check_read_mask(v, req.read_mask)
    v.raise_if_any("ListRunsRequest")


# ---- LibraryService ----------------------------------------------------------------------------


def _check_get(name: str, collection: str, request: str) -> int:
    v = _Violations()
    row_id = _id_name(v, name, "name", collection)
    v.raise_if_any(request)
    assert row_id is not None
    return row_id


def check_get_skill(req: library_service_pb2.GetSkillRequest) -> int:
    """The skill id of a valid request."""
    return _check_get(req.name, resource_names.SKILLS, "GetSkillRequest")


def check_get_role(req: library_service_pb2.GetRoleRequest) -> int:
    return _check_get(req.name, resource_names.ROLES, "GetRoleRequest")


def check_get_dimension(req: library_service_pb2.GetDimensionRequest) -> int:
    return _check_get(req.name, resource_names.DIMENSIONS, "GetDimensionRequest")


def _check_pack_and_dimension_list(
    req: library_service_pb2.ListSkillsRequest | library_service_pb2.ListRolesRequest,
) -> None:
    v = _Violations()
    _check_page(v, req.page_size, MAX_PAGE_SIZE)
    _check_pack(v, req.pack)
    _id_name(v, req.dimension, "dimension", resource_names.DIMENSIONS, required=False)
    v.raise_if_any(type(req).__name__)


def check_list_skills(req: library_service_pb2.ListSkillsRequest) -> None:
    _check_pack_and_dimension_list(req)


def check_list_roles(req: library_service_pb2.ListRolesRequest) -> None:
    _check_pack_and_dimension_list(req)


def check_list_dimensions(req: library_service_pb2.ListDimensionsRequest) -> None:
    v = _Violations()
    _check_page(v, req.page_size, MAX_PAGE_SIZE)
    _check_pack(v, req.pack)
    v.raise_if_any("ListDimensionsRequest")


def check_list_review_items(req: library_service_pb2.ListReviewItemsRequest) -> None:
    v = _Violations()
    _check_page(v, req.page_size, MAX_PAGE_SIZE)
    _check_enum(v, library_pb2.ReviewItemKind, req.kind, "kind")
    _check_enum(v, run_pb2.ReviewStatus, req.status, "status")
    _id_name(v, req.role, "role", resource_names.ROLES, required=False)
    v.raise_if_any("ListReviewItemsRequest")


def check_resolve_review_item(req: library_service_pb2.ResolveReviewItemRequest) -> int:
    """The review item id of a valid request."""
    v = _Violations()
    item_id = _id_name(v, req.name, "name", resource_names.REVIEW_ITEMS)
    if req.decision == library_service_pb2.REVIEW_DECISION_UNSPECIFIED:
        v.add("decision", "required: APPROVE, REJECT or MERGE")
    else:
        _check_enum(v, library_service_pb2.ReviewDecision, req.decision, "decision")
    if req.decision == library_service_pb2.REVIEW_DECISION_MERGE:
        target_ok = any(
            resource_names.parse_id_name(req.merge_into, c) is not None
            for c in (resource_names.SKILLS, resource_names.ROLES)
        )
        if not req.merge_into:
            v.add("merge_into", "required for MERGE: the skill or role to merge into (skills/..., roles/...)")
        elif not target_ok:
            v.add("merge_into", f"{req.merge_into!r} is not a skills/{{id}} or roles/{{id}} name")
    elif req.merge_into:
        v.add("merge_into", "only valid with decision MERGE")
    _check_free_text(v, req.note.replace("\n", " ").replace("\t", " "), "note", MAX_NOTE_CHARS)
    v.raise_if_any("ResolveReviewItemRequest")
    assert item_id is not None
    return item_id


def check_list_changes(req: library_service_pb2.ListChangesRequest) -> None:
    v = _Violations()
    _check_page(v, req.page_size, MAX_PAGE_SIZE)
    if req.since_version < 0:
        v.add("since_version", f"must not be negative; got {req.since_version}")
    v.raise_if_any("ListChangesRequest")


def check_search(
    req: library_service_pb2.SearchSkillsRequest | library_service_pb2.SearchRolesRequest,
) -> None:
    v = _Violations()
    if not req.query.strip():
        v.add("query", "required: the text to search for")
    else:
        _check_free_text(v, req.query, "query", MAX_SEARCH_QUERY_CHARS)
    _check_page(v, req.page_size, MAX_SEARCH_SIZE)
    v.raise_if_any(type(req).__name__)
