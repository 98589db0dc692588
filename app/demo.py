"""Demo data: three branches, Jakarta's five survey areas and five more, dealers, products,
one user per role, and surveyors and salesmen for every Jakarta area and for Bandung.
Loading it twice creates nothing twice.

Demo keys are derived from the username (``kredo_demo_<username>``) so that the README can
show them and a second run can print them again; a production service refuses to start while
any demo user exists.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import ApiKey, User, UserArea
from app.auth.roles import Role
from app.auth.service import hash_key
from app.reference.models import Area, AreaPostalPrefix, Branch, Dealer, FormCategory, Product

BRANCHES = [
    ("HO", "Kantor Pusat", "Jakarta Selatan"),
    ("JKT01", "Cabang Jakarta", "Jakarta Pusat"),
    ("BDG01", "Cabang Bandung", "Bandung"),
]

J, N = FormCategory.JAKARTA, FormCategory.NON_JAKARTA
# Jakarta's postal codes start 10 (Pusat), 11 (Barat), 12 (Selatan), 13 (Timur), 14 (Utara).
AREAS = [
    ("JKT-PST", "Jakarta Pusat", J, "JKT01", ["10"]),
    ("JKT-BRT", "Jakarta Barat", J, "JKT01", ["11"]),
    ("JKT-SEL", "Jakarta Selatan", J, "JKT01", ["12"]),
    ("JKT-TIM", "Jakarta Timur", J, "JKT01", ["13"]),
    ("JKT-UTR", "Jakarta Utara", J, "JKT01", ["14"]),
    ("TNG", "Tangerang", N, "JKT01", ["151", "152", "153", "154", "155"]),
    ("BGR", "Bogor", N, "JKT01", ["161", "162", "163"]),
    ("DPK", "Depok", N, "JKT01", ["164"]),
    ("BKS", "Bekasi", N, "JKT01", ["171", "172", "173", "175"]),
    ("BDG", "Bandung", N, "BDG01", ["401", "402", "403", "404"]),
]

DEALERS = [
    ("D-JKT-001", "PT Sinar Motor Kramat", "JKT01", "Jakarta Pusat"),
    ("D-JKT-002", "PT Astra Motor Daan Mogot", "JKT01", "Jakarta Barat"),
    ("D-JKT-003", "CV Jaya Abadi Motor Fatmawati", "JKT01", "Jakarta Selatan"),
    ("D-JKT-004", "PT Mitra Sepeda Motor Cakung", "JKT01", "Jakarta Timur"),
    ("D-JKT-005", "PT Dinamika Mobil Sunter", "JKT01", "Jakarta Utara"),
    ("D-BDG-001", "PT Priangan Motor Soekarno-Hatta", "BDG01", "Bandung"),
]

# OJK ties the minimum down payment to the company's NPF; these are the tiers for NPF ≤ 5 %.
PRODUCTS = [
    ("MC", "Pembiayaan Sepeda Motor", Decimal("10.00")),
    ("CAR", "Pembiayaan Mobil", Decimal("10.00")),
]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: Role
    branch: str
    dealer: str | None = None
    approval_limit: int | None = None
    areas: tuple[str, ...] = ()


NEAR_JAKARTA = ("TNG", "BGR", "DPK", "BKS")
USERS = [
    DemoUser("dealer.sinar", "Sinar Motor Kramat (front-end)", Role.DEALER, "JKT01", "D-JKT-001"),
    DemoUser("sales.budi", "Budi Santoso", Role.SALESMAN, "JKT01", areas=("JKT-PST",)),
    DemoUser("cs.dewi", "Dewi Lestari", Role.CUSTOMER_SERVICE, "JKT01"),
    DemoUser("ca.rina", "Rina Marlina", Role.CREDIT_ANALYST, "JKT01"),
    DemoUser("surveyor.agus", "Agus Setiawan", Role.SURVEYOR, "JKT01",
             areas=("JKT-PST", *NEAR_JAKARTA)),
    DemoUser("approver.hendra", "Hendra Wijaya", Role.APPROVER, "JKT01", None, 150_000_000),
    DemoUser("auditor.yuni", "Yuni Kartika", Role.AUDITOR, "HO"),
    DemoUser("finance.tono", "Tono Prasetyo", Role.FINANCE, "JKT01"),
    DemoUser("collector.joko", "Joko Susilo", Role.COLLECTOR, "JKT01"),
    DemoUser("admin.sari", "Sari Wulandari", Role.ADMIN, "HO"),
    DemoUser("integration.ledger", "Core ledger", Role.INTEGRATION, "HO"),
    # Field staff for every Jakarta area, and for Bandung.
    DemoUser("surveyor.gilang", "Gilang Ramadhan", Role.SURVEYOR, "JKT01", areas=("JKT-PST",)),
    DemoUser("surveyor.bambang", "Bambang Hermawan", Role.SURVEYOR, "JKT01", areas=("JKT-UTR",)),
    DemoUser("surveyor.cahya", "Cahya Purnama", Role.SURVEYOR, "JKT01", areas=("JKT-BRT",)),
    DemoUser("surveyor.dimas", "Dimas Saputra", Role.SURVEYOR, "JKT01", areas=("JKT-SEL",)),
    DemoUser("surveyor.eko", "Eko Prasetyo", Role.SURVEYOR, "JKT01", areas=("JKT-TIM",)),
    DemoUser("surveyor.fajar", "Fajar Nugraha", Role.SURVEYOR, "BDG01", areas=("BDG",)),
    DemoUser("sales.citra", "Citra Anggraini", Role.SALESMAN, "JKT01", areas=("JKT-UTR",)),
    DemoUser("sales.dodi", "Dodi Kurniawan", Role.SALESMAN, "JKT01", areas=("JKT-BRT",)),
    DemoUser("sales.evi", "Evi Susanti", Role.SALESMAN, "JKT01", areas=("JKT-SEL",)),
    DemoUser("sales.fani", "Fani Oktaviani", Role.SALESMAN, "JKT01", areas=("JKT-TIM",)),
    DemoUser("sales.asep", "Asep Sunandar", Role.SALESMAN, "BDG01", areas=("BDG",)),
    DemoUser("dealer.priangan", "Priangan Motor (front-end)", Role.DEALER, "BDG01", "D-BDG-001"),
    DemoUser("cs.bdg.neng", "Neng Kurniasih", Role.CUSTOMER_SERVICE, "BDG01"),
    DemoUser("ca.bdg.ujang", "Ujang Supriatna", Role.CREDIT_ANALYST, "BDG01"),
]  # fmt: skip


def demo_key(username: str) -> str:
    return f"kredo_demo_{username}"


def seed_demo(session: Session) -> list[tuple[DemoUser, str]]:
    """Load what is missing of the demo data; returns each demo user with his key."""
    branches = {b.code: b for b in session.scalars(select(Branch))}
    for code, name, city in BRANCHES:
        if code not in branches:
            branches[code] = Branch(code=code, name=name, city=city, active=True)
            session.add(branches[code])
    session.flush()

    known_areas = set(session.scalars(select(Area.code)))
    for code, name, category, branch, prefixes in AREAS:
        if code in known_areas:
            continue
        area = Area(code=code, name=name, category=category.value, branch_id=branches[branch].id)
        session.add(area)
        session.flush()
        session.add_all(AreaPostalPrefix(prefix=p, area_id=area.id) for p in prefixes)

    dealers = {d.code: d for d in session.scalars(select(Dealer))}
    for code, name, branch, city in DEALERS:
        if code not in dealers:
            dealers[code] = Dealer(
                code=code, name=name, branch_id=branches[branch].id, city=city, active=True
            )
            session.add(dealers[code])

    known_products = set(session.scalars(select(Product.code)))
    for code, name, min_dp in PRODUCTS:
        if code not in known_products:
            session.add(Product(code=code, name=name, min_down_payment_pct=min_dp, active=True))
    session.flush()

    areas = {a.code: a.id for a in session.scalars(select(Area))}
    known_users = set(session.scalars(select(User.username)))
    for demo in USERS:
        if demo.username in known_users:
            continue
        user = User(
            username=demo.username,
            full_name=demo.full_name,
            role=demo.role.value,
            branch_id=branches[demo.branch].id,
            dealer_id=dealers[demo.dealer].id if demo.dealer else None,
            approval_limit=demo.approval_limit,
            is_demo=True,
        )
        session.add(user)
        session.flush()
        session.add_all(UserArea(user_id=user.id, area_id=areas[code]) for code in demo.areas)
        key = demo_key(demo.username)
        session.add(ApiKey(user_id=user.id, prefix=key[:12], key_hash=hash_key(key)))
    session.flush()
    return [(demo, demo_key(demo.username)) for demo in USERS]
