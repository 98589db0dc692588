"""Stage 4 — `/v1/packages`, `POST /v1/simulations` (a quote), and the contract's simulation."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.dependencies import current_principal, require
from app.auth.roles import Permission, Role
from app.auth.service import Principal, username_of
from app.contracts.models import Contract
from app.contracts.router import IfMatch, transition_route
from app.contracts.service import check_if_match, get_visible
from app.contracts.states import Action
from app.core.dependencies import DbSession
from app.core.errors import NotFound, problem_responses
from app.core.i18n import _
from app.core.idempotency import Idempotent
from app.core.inputs import BusinessDate
from app.simulation import service
from app.simulation.models import PackageDealer, Simulation
from app.simulation.schemas import (
    ContractSimulationIn,
    ContractSimulationOut,
    PackageIn,
    PackageList,
    PackageOut,
    PackagePatch,
    QuoteIn,
    QuoteOut,
)

router = APIRouter(prefix="/v1", tags=["stage 4 — credit simulation"])
Actor = Annotated[Principal, Depends(current_principal)]
Reader = Annotated[Principal, Depends(require(Permission.PACKAGE_READ))]
Writer = Annotated[Principal, Depends(require(Permission.REFERENCE_WRITE))]
Quoter = Annotated[Principal, Depends(require(Permission.SIMULATE))]
DecisionReader = Annotated[Principal, Depends(require(Permission.DECISION_READ))]


@router.get(
    "/packages",
    summary="Credit packages (a dealer sees the ones offered to it)",
    responses=problem_responses(403),
)
def list_packages(
    session: DbSession,
    principal: Reader,
    dealer: Annotated[str | None, Query(description="Dealer code")] = None,
    valid_on: Annotated[
        BusinessDate | None, Query(description="Only packages valid that day")
    ] = None,
) -> PackageList:
    rows = service.list_packages(session, principal, dealer, valid_on)
    return PackageList(items=[service.package_out(session, p) for p in rows])


@router.get("/packages/{code}", summary="One credit package", responses=problem_responses(403, 404))
def get_package(code: str, session: DbSession, principal: Reader) -> PackageOut:
    package = service.get_package(session, code)
    if (
        principal.role is Role.DEALER
        and session.scalar(
            select(PackageDealer.package_id).where(
                PackageDealer.package_id == package.id,
                PackageDealer.dealer_id == principal.dealer_id,
            )
        )
        is None
    ):
        raise NotFound(_("No package {code!r}.").format(code=code))
    return service.package_out(session, package)


@router.post(
    "/packages",
    summary="Offer a credit package to dealers",
    status_code=status.HTTP_201_CREATED,
    response_model=PackageOut,
    responses=problem_responses(403, 409),
)
def create_package(
    data: PackageIn, once: Idempotent, session: DbSession, principal: Writer
) -> JSONResponse:
    def work() -> tuple[PackageOut, dict[str, str]]:
        return service.package_out(session, service.create_package(session, data)), {}

    return once.run(principal.user_id, data, status.HTTP_201_CREATED, work)


@router.patch(
    "/packages/{code}",
    summary="Rename, re-assign, extend or withdraw a package (its prices stay)",
    responses=problem_responses(403, 404),
)
def update_package(code: str, data: PackagePatch, session: DbSession, _: Writer) -> PackageOut:
    return service.package_out(session, service.update_package(session, code, data))


@router.post(
    "/simulations",
    summary="A quote from a package: nothing is stored",
    responses=problem_responses(403),
)
def simulate(data: QuoteIn, session: DbSession, principal: Quoter) -> QuoteOut:
    return QuoteOut.model_validate(
        service.simulate(
            session,
            principal,
            data.package_code,
            data.dealer_code,
            data.otr_price,
            data.down_payment,
            data.tenor_months,
        )
    )


def simulation_out(
    session: Session, contract: Contract, simulation: Simulation
) -> ContractSimulationOut:
    chosen_by = username_of(session, simulation.chosen_by_id)
    return ContractSimulationOut.model_validate(
        {
            **simulation.result,
            "contract_number": contract.number,
            "contract_state": contract.state,
            "chosen_by": chosen_by,
            "chosen_at": simulation.chosen_at,
        }
    )


@router.post(
    "/contracts/{number}/simulation",
    summary="Choose the package and terms; the contract becomes SIMULATED",
    response_model=ContractSimulationOut,
    **transition_route(Action.SIMULATE),
)
def choose_simulation(
    number: str,
    data: ContractSimulationIn,
    session: DbSession,
    principal: Actor,
    if_match: IfMatch = None,
) -> ContractSimulationOut:
    contract = get_visible(session, principal, number)
    check_if_match(contract, if_match)
    simulation = service.choose(
        session, principal, contract, data.package_code, data.tenor_months, data.down_payment
    )
    return simulation_out(session, contract, simulation)


@router.get(
    "/contracts/{number}/simulation",
    summary="The chosen terms and schedule",
    responses=problem_responses(403, 404),
)
def get_simulation(
    number: str, session: DbSession, principal: DecisionReader
) -> ContractSimulationOut:
    contract = get_visible(session, principal, number)
    simulation = session.scalar(
        select(Simulation).where(Simulation.contract_id == contract.id, Simulation.current)
    )
    if simulation is None:
        raise NotFound(_("Contract {number} has no simulation yet.").format(number=number))
    return simulation_out(session, contract, simulation)
