"""Stage 4 — packages offered to dealers, quotes, and the terms chosen for a contract."""

from dataclasses import asdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.auth.service import Principal
from app.contracts.models import Contract
from app.contracts.service import ensure_allowed, transition
from app.contracts.states import Action
from app.core.clock import today_jakarta
from app.core.errors import Conflict, Forbidden, NotFound, Unprocessable
from app.core.i18n import _, format_date, format_percent, format_rupiah
from app.core.inputs import STORED
from app.reference.models import Dealer, Product
from app.reference.service import by_code
from app.simulation.calc import InsuranceYear, Quote, Terms, quote
from app.simulation.models import Package, PackageDealer, Simulation
from app.simulation.schemas import PackageIn, PackageOut, PackagePatch


def _dealers(session: Session, codes: list[str]) -> list[Dealer]:
    dealers = list(session.scalars(select(Dealer).where(Dealer.code.in_(set(codes)))))
    unknown = sorted(set(codes) - {d.code for d in dealers})
    if unknown:
        raise Unprocessable.field(
            "dealer_codes",
            _("Unknown dealer(s) {codes}.").format(codes=", ".join(unknown)),
            "unknown_dealer",
        )
    return dealers


def _assign(session: Session, package: Package, codes: list[str]) -> None:
    dealers = _dealers(session, codes)
    session.execute(delete(PackageDealer).where(PackageDealer.package_id == package.id))
    session.add_all(PackageDealer(package_id=package.id, dealer_id=d.id) for d in dealers)
    session.flush()


def create_package(session: Session, data: PackageIn) -> Package:
    if session.scalar(select(Package.id).where(Package.code == data.code)) is not None:
        raise Conflict(_("Package {code} already exists.").format(code=data.code))
    product = by_code(session, Product, data.product_code, field="product_code")
    if data.min_down_payment_pct < product.min_down_payment_pct:
        raise Unprocessable.field(
            "min_down_payment_pct",
            _(
                "A package may raise the product's minimum down payment ({percent}), never "
                "lower it."
            ).format(percent=format_percent(product.min_down_payment_pct)),
            "below_product_minimum",
        )
    fields = data.model_dump(mode="json", exclude={"product_code", "dealer_codes"})
    fields.update(
        min_down_payment_pct=data.min_down_payment_pct,
        provision_rate=data.provision_rate,
        valid_from=data.valid_from,
        expires_on=data.expires_on,
    )
    package = Package(product_id=product.id, active=True, **fields)
    session.add(package)
    session.flush()
    _assign(session, package, data.dealer_codes)
    return package


def update_package(session: Session, code: str, data: PackagePatch) -> Package:
    package = get_package(session, code)
    if data.name is not None:
        package.name = data.name
    if data.active is not None:
        package.active = data.active
    if data.expires_on is not None:
        if data.expires_on < package.valid_from:
            raise Unprocessable.field(
                "expires_on", _("The package would expire before it starts."), "validity"
            )
        package.expires_on = data.expires_on
    if data.dealer_codes is not None:
        _assign(session, package, data.dealer_codes)
    session.flush()
    return package


def get_package(session: Session, code: str) -> Package:
    package = session.scalar(select(Package).where(Package.code == code))
    if package is None:
        raise NotFound(_("No package {code!r}.").format(code=code))
    return package


def package_out(session: Session, package: Package) -> PackageOut:
    product = session.get_one(Product, package.product_id)
    codes = session.scalars(
        select(Dealer.code)
        .join(PackageDealer, PackageDealer.dealer_id == Dealer.id)
        .where(PackageDealer.package_id == package.id)
        .order_by(Dealer.code)
    )
    return PackageOut.model_validate(
        {
            **{c.name: getattr(package, c.name) for c in Package.__table__.columns},
            "product_code": product.code,
            "dealer_codes": list(codes),
        },
        context=STORED,
    )


def list_packages(
    session: Session, principal: Principal, dealer: str | None, valid_on: date | None
) -> list[Package]:
    query = select(Package)
    if principal.role is Role.DEALER:
        query = query.join(PackageDealer, PackageDealer.package_id == Package.id).where(
            PackageDealer.dealer_id == principal.dealer_id, Package.active
        )
    elif dealer is not None:
        query = (
            query.join(PackageDealer, PackageDealer.package_id == Package.id)
            .join(Dealer, Dealer.id == PackageDealer.dealer_id)
            .where(Dealer.code == dealer)
        )
    if valid_on is not None:
        query = query.where(Package.valid_from <= valid_on, Package.expires_on >= valid_on)
    return list(session.scalars(query.order_by(Package.code)))


def _usable(
    session: Session,
    package: Package,
    dealer: Dealer,
    product_id: int | None,
    tenor: int,
    otr: int,
    down_payment: int,
    on: date,
) -> dict[str, Any]:
    """The package's rate for ``tenor`` if a salesman may sell it today, else a 422 he can
    read."""

    def refuse(field: str, message: str, rule: str) -> Unprocessable:
        return Unprocessable.field(field, message, rule)

    if not package.active:
        raise refuse(
            "package_code",
            _("Package {code} has been withdrawn.").format(code=package.code),
            "inactive",
        )
    if on < package.valid_from:
        raise refuse(
            "package_code",
            _("Package {code} can be used from {day}.").format(
                code=package.code, day=format_date(package.valid_from)
            ),
            "not_yet_valid",
        )
    if on > package.expires_on:
        raise refuse(
            "package_code",
            _("Package {code} expired on {day}; choose a current package.").format(
                code=package.code, day=format_date(package.expires_on)
            ),
            "expired",
        )
    assigned = session.scalar(
        select(PackageDealer.package_id).where(
            PackageDealer.package_id == package.id, PackageDealer.dealer_id == dealer.id
        )
    )
    if assigned is None:
        raise refuse(
            "package_code",
            _("Package {code} is not offered by dealer {dealer}.").format(
                code=package.code, dealer=dealer.code
            ),
            "not_assigned",
        )
    if product_id is not None and package.product_id != product_id:
        raise refuse(
            "package_code",
            _("Package {code} is for another product.").format(code=package.code),
            "other_product",
        )
    rate = next((r for r in package.rates if r["tenor_months"] == tenor), None)
    if rate is None:
        offered = ", ".join(str(r["tenor_months"]) for r in package.rates)
        raise refuse(
            "tenor_months",
            _("Package {code} offers tenors of {tenors} months.").format(
                code=package.code, tenors=offered
            ),
            "tenor_not_offered",
        )
    if down_payment >= otr:
        raise refuse(
            "down_payment", _("The down payment must be below the OTR price."), "below_otr"
        )
    minimum = (Decimal(otr) * package.min_down_payment_pct / 100).to_integral_value()
    if down_payment < minimum:
        raise refuse(
            "down_payment",
            _("The down payment must be at least {percent} of the OTR price ({amount}).").format(
                percent=format_percent(package.min_down_payment_pct),
                amount=format_rupiah(int(minimum)),
            ),
            "below_minimum",
        )
    return rate


def _terms(
    package: Package, rate: dict[str, Any], otr: int, down_payment: int, tenor: int
) -> Terms:
    years = -(-tenor // 12)
    return Terms(
        otr_price=otr,
        down_payment=down_payment,
        tenor_months=tenor,
        flat_rate=Decimal(str(rate["flat_rate"])),
        rounding_unit=package.rounding_unit,
        in_advance=package.in_advance,
        insurance=tuple(
            InsuranceYear(Decimal(str(y["rate"])), Decimal(str(y["value_share"])), y["financed"])
            for y in package.insurance[:years]
        ),
        admin_fee=package.admin_fee,
        insurance_admin_fee=package.insurance_admin_fee,
        fiduciary_fee=package.fiduciary_fee,
        provision_rate=package.provision_rate,
    )


def quote_view(package_code: str, tenor: int, in_advance: bool, q: Quote) -> dict[str, Any]:
    data = asdict(q)
    data["schedule"] = [asdict(i) for i in q.schedule]
    return {
        **data,
        "package_code": package_code,
        "tenor_months": tenor,
        "in_advance": in_advance,
        "premiums": list(q.premiums),
    }


def simulate(
    session: Session,
    principal: Principal,
    package_code: str,
    dealer_code: str,
    otr: int,
    down_payment: int,
    tenor: int,
) -> dict[str, Any]:
    """A quote for anyone; a dealer only on its own packages. Nothing is stored."""
    dealer = by_code(session, Dealer, dealer_code, field="dealer_code")
    if principal.role is Role.DEALER and dealer.id != principal.dealer_id:
        raise Forbidden(_("A dealer may quote only for its own dealership."))
    package = session.scalar(select(Package).where(Package.code == package_code))
    if package is None:
        raise Unprocessable.field(
            "package_code",
            _("Unknown package {code!r}.").format(code=package_code),
            "unknown_package",
        )
    rate = _usable(session, package, dealer, None, tenor, otr, down_payment, today_jakarta())
    q = quote(_terms(package, rate, otr, down_payment, tenor))
    return quote_view(package.code, tenor, package.in_advance, q)


def choose(
    session: Session,
    principal: Principal,
    contract: Contract,
    package_code: str,
    tenor: int,
    down_payment: int,
) -> Simulation:
    """The analyst's chosen terms, validated against the package and stored with it."""
    ensure_allowed(contract, Action.SIMULATE, principal)
    package = session.scalar(select(Package).where(Package.code == package_code))
    if package is None:
        raise Unprocessable.field(
            "package_code",
            _("Unknown package {code!r}.").format(code=package_code),
            "unknown_package",
        )
    dealer = session.get_one(Dealer, contract.dealer_id)
    rate = _usable(
        session,
        package,
        dealer,
        contract.product_id,
        tenor,
        contract.otr_price,
        down_payment,
        today_jakarta(),
    )
    q = quote(_terms(package, rate, contract.otr_price, down_payment, tenor))
    session.execute(
        update(Simulation).where(Simulation.contract_id == contract.id).values(current=False)
    )
    snapshot = package_out(session, package).model_dump(mode="json")
    simulation = Simulation(
        contract_id=contract.id,
        package_id=package.id,
        package=snapshot,
        terms={
            "tenor_months": tenor,
            "down_payment": down_payment,
            "flat_rate": str(rate["flat_rate"]),
        },
        result={
            k: (str(v) if isinstance(v, Decimal) else v)
            for k, v in quote_view(package.code, tenor, package.in_advance, q).items()
        },
        current=True,
        chosen_by_id=principal.user_id,
    )
    session.add(simulation)
    session.flush()
    contract.down_payment = down_payment
    contract.tenor_months = tenor
    transition(
        session,
        contract,
        Action.SIMULATE,
        principal,
        payload={
            "simulation": simulation.id,
            "package": package.code,
            "tenor_months": tenor,
            "down_payment": down_payment,
            "amount_financed": q.amount_financed,
            "installment": q.installment,
        },
    )
    return simulation
