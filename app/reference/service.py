"""Reading and maintaining reference data; resolving a postal code to its survey area."""

from typing import Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.core.errors import Conflict, NotFound, Unprocessable
from app.core.i18n import N_, _
from app.reference.models import Area, AreaPostalPrefix, Branch, Dealer, Product
from app.reference.schemas import (
    AreaIn,
    AreaOut,
    AreaPatch,
    BranchIn,
    DealerIn,
    DealerOut,
    ProductIn,
)

M = TypeVar("M", Branch, Dealer, Area, Product)
UNKNOWN = {
    "branch": N_("Unknown branch {code!r}."),
    "dealer": N_("Unknown dealer {code!r}."),
    "area": N_("Unknown area {code!r}."),
    "product": N_("Unknown product {code!r}."),
}
MISSING = {
    "branch": N_("No branch {code!r}."),
    "dealer": N_("No dealer {code!r}."),
    "area": N_("No area {code!r}."),
    "product": N_("No product {code!r}."),
}


def by_code(session: Session, model: type[M], code: str, *, field: str | None = None) -> M:
    """The row with ``code``: 404 when looked up by path, 422 naming ``field`` in a body."""
    row = session.scalar(select(model).where(model.code == code))
    if row is None:
        label = model.label
        if field is not None:
            message = _(UNKNOWN[label]).format(code=code)
            raise Unprocessable.field(field, message, f"unknown_{label}")
        raise NotFound(_(MISSING[label]).format(code=code))
    return row


def _ensure_new_code(session: Session, model: type[M], code: str) -> None:
    if session.scalar(select(model.id).where(model.code == code)) is not None:
        raise Conflict(_("Code {code!r} is already used.").format(code=code))


def update_by_code(session: Session, model: type[M], code: str, changes: dict[str, Any]) -> M:
    """Apply a PATCH's set fields to the row with ``code``."""
    row = by_code(session, model, code)
    for key, value in changes.items():
        setattr(row, key, value)
    session.flush()
    return row


def create_branch(session: Session, data: BranchIn) -> Branch:
    _ensure_new_code(session, Branch, data.code)
    branch = Branch(**data.model_dump(), active=True)
    session.add(branch)
    session.flush()
    return branch


def dealer_out(session: Session, dealer: Dealer) -> DealerOut:
    branch_code = session.scalar(select(Branch.code).where(Branch.id == dealer.branch_id))
    return DealerOut(
        code=dealer.code,
        name=dealer.name,
        branch_code=str(branch_code),
        city=dealer.city,
        active=dealer.active,
    )


def list_dealers(session: Session, branch_code: str | None) -> list[DealerOut]:
    query = select(Dealer, Branch.code).join(Branch, Branch.id == Dealer.branch_id)
    if branch_code is not None:
        query = query.where(Branch.code == branch_code)
    return [
        DealerOut(code=d.code, name=d.name, branch_code=b, city=d.city, active=d.active)
        for d, b in session.execute(query.order_by(Dealer.code))
    ]


def create_dealer(session: Session, data: DealerIn) -> Dealer:
    _ensure_new_code(session, Dealer, data.code)
    branch = by_code(session, Branch, data.branch_code, field="branch_code")
    dealer = Dealer(
        code=data.code, name=data.name, city=data.city, branch_id=branch.id, active=True
    )
    session.add(dealer)
    session.flush()
    return dealer


def area_out(session: Session, area: Area) -> AreaOut:
    prefixes = session.scalars(
        select(AreaPostalPrefix.prefix)
        .where(AreaPostalPrefix.area_id == area.id)
        .order_by(AreaPostalPrefix.prefix)
    )
    branch_code = session.scalar(select(Branch.code).where(Branch.id == area.branch_id))
    return AreaOut(
        code=area.code,
        name=area.name,
        category=area.category,
        branch_code=str(branch_code),
        postal_prefixes=list(prefixes),
    )


def _set_prefixes(session: Session, area: Area, prefixes: list[str]) -> None:
    wanted = sorted(set(prefixes))
    taken = session.execute(
        select(AreaPostalPrefix.prefix, Area.code)
        .join(Area, Area.id == AreaPostalPrefix.area_id)
        .where(AreaPostalPrefix.prefix.in_(wanted), AreaPostalPrefix.area_id != area.id)
    ).first()
    if taken is not None:
        raise Conflict(
            _("Postal prefix {prefix} already belongs to area {area}.").format(
                prefix=taken[0], area=taken[1]
            )
        )
    session.execute(delete(AreaPostalPrefix).where(AreaPostalPrefix.area_id == area.id))
    session.add_all(AreaPostalPrefix(prefix=p, area_id=area.id) for p in wanted)
    session.flush()


def create_area(session: Session, data: AreaIn) -> Area:
    _ensure_new_code(session, Area, data.code)
    branch = by_code(session, Branch, data.branch_code, field="branch_code")
    area = Area(code=data.code, name=data.name, category=data.category.value, branch_id=branch.id)
    session.add(area)
    session.flush()
    _set_prefixes(session, area, data.postal_prefixes)
    return area


def update_area(session: Session, code: str, data: AreaPatch) -> Area:
    area = by_code(session, Area, code)
    if data.name is not None:
        area.name = data.name
    if data.branch_code is not None:
        area.branch_id = by_code(session, Branch, data.branch_code, field="branch_code").id
    if data.postal_prefixes is not None:
        _set_prefixes(session, area, data.postal_prefixes)
    session.flush()
    return area


def area_for_postal_code(session: Session, postal_code: str) -> Area | None:
    """The area whose longest postal prefix starts ``postal_code`` (``10450`` → Jakarta Pusat)."""
    candidates = [postal_code[:n] for n in range(1, len(postal_code) + 1)]
    return session.scalar(
        select(Area)
        .join(AreaPostalPrefix, AreaPostalPrefix.area_id == Area.id)
        .where(AreaPostalPrefix.prefix.in_(candidates))
        .order_by(func.length(AreaPostalPrefix.prefix).desc())
        .limit(1)
    )


def create_product(session: Session, data: ProductIn) -> Product:
    _ensure_new_code(session, Product, data.code)
    product = Product(**data.model_dump(), active=True)
    session.add(product)
    session.flush()
    return product
