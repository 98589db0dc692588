"""`/v1/branches`, `/v1/dealers`, `/v1/areas`, `/v1/products`: admin writes, staff reads.
`/v1/provinces`: the code list of provinces, for anyone signed in."""

from typing import Annotated

from fastapi import APIRouter, Depends, status
from sqlalchemy import select

from app.auth.dependencies import current_principal, require
from app.auth.roles import Permission
from app.auth.service import Principal
from app.core.dependencies import DbSession
from app.core.errors import problem_responses
from app.reference import service
from app.reference.models import Area, Branch, Dealer, Product
from app.reference.regions import provinces
from app.reference.schemas import (
    AreaIn,
    AreaOut,
    AreaPatch,
    BranchIn,
    BranchOut,
    BranchPatch,
    DealerIn,
    DealerOut,
    DealerPatch,
    Page,
    ProductIn,
    ProductOut,
    ProductPatch,
    ProvinceOut,
)

router = APIRouter(prefix="/v1", tags=["reference data"])
Reader = Annotated[Principal, Depends(require(Permission.REFERENCE_READ))]
Writer = Annotated[Principal, Depends(require(Permission.REFERENCE_WRITE))]
READ_ERRORS = problem_responses(403, 404)
WRITE_ERRORS = problem_responses(403, 404, 409)


@router.get(
    "/provinces",
    summary="List Indonesia's provinces with their codes and time zones",
    responses=problem_responses(),
)
def list_provinces(_: Annotated[Principal, Depends(current_principal)]) -> Page[ProvinceOut]:
    """The code list an address's `province` is checked against (any authenticated caller:
    a dealer's front-end fills its form from it). The time zone is the one in which the
    debtor may be contacted by collection."""
    return Page(
        items=[
            ProvinceOut(
                code=p.code,
                name=p.name,
                name_en=p.name_en,
                iso_3166_2=p.iso_3166_2,
                time_zone=p.time_zone,
                also_written=list(p.also_written),
            )
            for p in provinces().values()
        ]
    )


@router.get("/branches", summary="List branches", responses=READ_ERRORS)
def list_branches(session: DbSession, _: Reader) -> Page[BranchOut]:
    rows = session.scalars(select(Branch).order_by(Branch.code))
    return Page(items=[BranchOut.model_validate(r) for r in rows])


@router.get("/branches/{code}", summary="Read one branch", responses=READ_ERRORS)
def get_branch(code: str, session: DbSession, _: Reader) -> BranchOut:
    return BranchOut.model_validate(service.by_code(session, Branch, code))


@router.post(
    "/branches",
    summary="Open a branch",
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_ERRORS,
)
def create_branch(data: BranchIn, session: DbSession, _: Writer) -> BranchOut:
    return BranchOut.model_validate(service.create_branch(session, data))


@router.patch("/branches/{code}", summary="Change a branch", responses=WRITE_ERRORS)
def update_branch(code: str, data: BranchPatch, session: DbSession, _: Writer) -> BranchOut:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    return BranchOut.model_validate(service.update_by_code(session, Branch, code, changes))


@router.get("/dealers", summary="List dealers, optionally of one branch", responses=READ_ERRORS)
def list_dealers(session: DbSession, _: Reader, branch: str | None = None) -> Page[DealerOut]:
    return Page(items=service.list_dealers(session, branch))


@router.get("/dealers/{code}", summary="Read one dealer", responses=READ_ERRORS)
def get_dealer(code: str, session: DbSession, _: Reader) -> DealerOut:
    return service.dealer_out(session, service.by_code(session, Dealer, code))


@router.post(
    "/dealers",
    summary="Register a dealer",
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_ERRORS,
)
def create_dealer(data: DealerIn, session: DbSession, _: Writer) -> DealerOut:
    return service.dealer_out(session, service.create_dealer(session, data))


@router.patch("/dealers/{code}", summary="Change or deactivate a dealer", responses=WRITE_ERRORS)
def update_dealer(code: str, data: DealerPatch, session: DbSession, _: Writer) -> DealerOut:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    return service.dealer_out(session, service.update_by_code(session, Dealer, code, changes))


@router.get("/areas", summary="List survey areas with their postal prefixes", responses=READ_ERRORS)
def list_areas(session: DbSession, _: Reader) -> Page[AreaOut]:
    rows = session.scalars(select(Area).order_by(Area.code))
    return Page(items=[service.area_out(session, r) for r in rows])


@router.get("/areas/{code}", summary="Read one survey area", responses=READ_ERRORS)
def get_area(code: str, session: DbSession, _: Reader) -> AreaOut:
    return service.area_out(session, service.by_code(session, Area, code))


@router.post(
    "/areas",
    summary="Define a survey area",
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_ERRORS,
)
def create_area(data: AreaIn, session: DbSession, _: Writer) -> AreaOut:
    return service.area_out(session, service.create_area(session, data))


@router.patch("/areas/{code}", summary="Change a survey area", responses=WRITE_ERRORS)
def update_area(code: str, data: AreaPatch, session: DbSession, _: Writer) -> AreaOut:
    return service.area_out(session, service.update_area(session, code, data))


@router.get("/products", summary="List products", responses=READ_ERRORS)
def list_products(session: DbSession, _: Reader) -> Page[ProductOut]:
    rows = session.scalars(select(Product).order_by(Product.code))
    return Page(items=[ProductOut.model_validate(r) for r in rows])


@router.get("/products/{code}", summary="Read one product", responses=READ_ERRORS)
def get_product(code: str, session: DbSession, _: Reader) -> ProductOut:
    return ProductOut.model_validate(service.by_code(session, Product, code))


@router.post(
    "/products",
    summary="Define a product",
    status_code=status.HTTP_201_CREATED,
    responses=WRITE_ERRORS,
)
def create_product(data: ProductIn, session: DbSession, _: Writer) -> ProductOut:
    return ProductOut.model_validate(service.create_product(session, data))


@router.patch("/products/{code}", summary="Change a product", responses=WRITE_ERRORS)
def update_product(code: str, data: ProductPatch, session: DbSession, _: Writer) -> ProductOut:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    return ProductOut.model_validate(service.update_by_code(session, Product, code, changes))
