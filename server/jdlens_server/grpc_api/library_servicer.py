"""LibraryService: reads over the store; search and review resolution from their own components."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Protocol, TypeVar

from google.protobuf.message import Message
from grpc import aio

from jdlens.v1 import library_pb2
from jdlens.v1 import library_service_pb2 as pb
from jdlens.v1 import library_service_pb2_grpc as pb_grpc
from jdlens_server import validation
from jdlens_server.grpc_api.blocking import BlockingRunner
from jdlens_server.grpc_api.status_mapping import NotConfigured
from jdlens_server.library.queries import LibraryQueries, Page

Context = aio.ServicerContext[Any, Any]
M = TypeVar("M", bound=Message)


class LibrarySearchApi(Protocol):
    """Alias and embedding search (comes with the embedder and the index). Synchronous, grpc-free."""

    def search_skills(self, req: pb.SearchSkillsRequest) -> pb.SearchSkillsResponse: ...

    def search_roles(self, req: pb.SearchRolesRequest) -> pb.SearchRolesResponse: ...


class ReviewApi(Protocol):
    """Resolving review items (changes the library and the live index). Synchronous, grpc-free."""

    def resolve_review_item(self, req: pb.ResolveReviewItemRequest) -> pb.ResolveReviewItemResponse: ...


class _PagedRequest(Protocol):
    @property
    def page_size(self) -> int: ...

    @property
    def page_token(self) -> str: ...


class LibraryServicer(pb_grpc.LibraryServiceServicer):
    def __init__(
        self,
        queries: LibraryQueries,
        runner: BlockingRunner,
        search: LibrarySearchApi | None = None,
        review: ReviewApi | None = None,
    ) -> None:
        self._q = queries
        self._runner = runner
        self._search = search
        self._review = review

    async def _page(
        self, context: Context, query: Callable[..., Page[M]], request: _PagedRequest, **filters: object
    ) -> Page[M]:
        size = validation.page_size_or_default(request.page_size)
        return await self._runner.run(context, partial(query, size, request.page_token, **filters))

    async def GetSkill(self, request: pb.GetSkillRequest, context: Context) -> library_pb2.Skill:
        validation.check_get_skill(request)
        return await self._runner.run(context, partial(self._q.get_skill, request.name))

    async def ListSkills(self, request: pb.ListSkillsRequest, context: Context) -> pb.ListSkillsResponse:
        validation.check_list_skills(request)
        page = await self._page(
            context, self._q.list_skills, request, pack=request.pack, dimension=request.dimension
        )
        return pb.ListSkillsResponse(skills=page.items, next_page_token=page.next_page_token)

    async def SearchSkills(
        self, request: pb.SearchSkillsRequest, context: Context
    ) -> pb.SearchSkillsResponse:
        validation.check_search(request)
        if self._search is None:
            raise NotConfigured("search is not configured on this server (it needs the embedding index)")
        return await self._runner.run(context, partial(self._search.search_skills, request))

    async def GetRole(self, request: pb.GetRoleRequest, context: Context) -> library_pb2.Role:
        validation.check_get_role(request)
        return await self._runner.run(context, partial(self._q.get_role, request.name))

    async def ListRoles(self, request: pb.ListRolesRequest, context: Context) -> pb.ListRolesResponse:
        validation.check_list_roles(request)
        page = await self._page(
            context, self._q.list_roles, request, pack=request.pack, dimension=request.dimension
        )
        return pb.ListRolesResponse(roles=page.items, next_page_token=page.next_page_token)

    async def SearchRoles(self, request: pb.SearchRolesRequest, context: Context) -> pb.SearchRolesResponse:
        validation.check_search(request)
        if self._search is None:
            raise NotConfigured("search is not configured on this server (it needs the embedding index)")
        return await self._runner.run(context, partial(self._search.search_roles, request))

    async def GetDimension(self, request: pb.GetDimensionRequest, context: Context) -> library_pb2.Dimension:
        validation.check_get_dimension(request)
        return await self._runner.run(context, partial(self._q.get_dimension, request.name))

    async def ListDimensions(
        self, request: pb.ListDimensionsRequest, context: Context
    ) -> pb.ListDimensionsResponse:
        validation.check_list_dimensions(request)
        page = await self._page(context, self._q.list_dimensions, request, pack=request.pack)
        return pb.ListDimensionsResponse(dimensions=page.items, next_page_token=page.next_page_token)

    async def ListReviewItems(
        self, request: pb.ListReviewItemsRequest, context: Context
    ) -> pb.ListReviewItemsResponse:
        validation.check_list_review_items(request)
        page = await self._page(
            context,
            self._q.list_review_items,
            request,
            kind=request.kind,
            status=request.status,
            role=request.role,
        )
        return pb.ListReviewItemsResponse(review_items=page.items, next_page_token=page.next_page_token)

    async def ResolveReviewItem(
        self, request: pb.ResolveReviewItemRequest, context: Context
    ) -> pb.ResolveReviewItemResponse:
        validation.check_resolve_review_item(request)
        # An unknown item is NOT_FOUND whether or not review resolution is configured.
        await self._runner.run(context, partial(self._q.get_review_item, request.name))
        if self._review is None:
            raise NotConfigured("review resolution is not configured on this server")
        return await self._runner.run(context, partial(self._review.resolve_review_item, request))

    async def GetLibraryVersion(
        self, request: pb.GetLibraryVersionRequest, context: Context
    ) -> library_pb2.LibraryVersion:
        return await self._runner.run(context, self._q.get_library_version)

    async def ListChanges(self, request: pb.ListChangesRequest, context: Context) -> pb.ListChangesResponse:
        validation.check_list_changes(request)
        page = await self._page(context, self._q.list_changes, request, since_version=request.since_version)
        return pb.ListChangesResponse(changes=page.items, next_page_token=page.next_page_token)
