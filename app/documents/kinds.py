"""What a contract's file may be: its kind, the roles that produce it, whether it is personal
data, and its real media type read from its first bytes (a renamed executable is not a PDF)."""

from enum import StrEnum

from app.auth.roles import Role


class DocumentKind(StrEnum):
    KTP = "ktp"  # the identity card (*Kartu Tanda Penduduk*)
    KK = "kk"  # the family card (*Kartu Keluarga*)
    NPWP = "npwp"  # the tax number card
    PAY_SLIP = "pay_slip"
    RESIDENCE_PHOTO = "residence_photo"
    VEHICLE_PHOTO = "vehicle_photo"
    BAST = "bast"  # the hand-over record (*berita acara serah terima*)
    DEALER_INVOICE = "dealer_invoice"
    FIDUCIARY_CERTIFICATE = "fiduciary_certificate"
    SIGNED_CONTRACT = "signed_contract"


K = DocumentKind
R = Role

# Who produces each kind (DESIGN §1): the showroom captures the identity papers with the
# application and the branch's CS completes them; the surveyor brings them back with his
# photos; the dealer hands the vehicle over with its record and invoice; finance registers
# the fiduciary guarantee; the contract is signed at the branch (CS) or brought by the
# surveyor.
PRODUCERS: dict[DocumentKind, frozenset[Role]] = {
    K.KTP: frozenset({R.DEALER, R.CUSTOMER_SERVICE, R.SURVEYOR}),
    K.KK: frozenset({R.DEALER, R.CUSTOMER_SERVICE, R.SURVEYOR}),
    K.NPWP: frozenset({R.DEALER, R.CUSTOMER_SERVICE, R.SURVEYOR}),
    K.PAY_SLIP: frozenset({R.DEALER, R.CUSTOMER_SERVICE, R.SURVEYOR}),
    K.RESIDENCE_PHOTO: frozenset({R.SURVEYOR}),
    K.VEHICLE_PHOTO: frozenset({R.SURVEYOR, R.DEALER}),
    K.BAST: frozenset({R.DEALER}),
    K.DEALER_INVOICE: frozenset({R.DEALER}),
    K.FIDUCIARY_CERTIFICATE: frozenset({R.FINANCE}),
    K.SIGNED_CONTRACT: frozenset({R.CUSTOMER_SERVICE, R.SURVEYOR}),
}

# The debtor's identity, family, income and home: shown only to the roles that see personal
# data in clear (not to a dealer once it has handed them in, nor to a salesman or finance).
PERSONAL = frozenset({K.KTP, K.KK, K.NPWP, K.PAY_SLIP, K.RESIDENCE_PHOTO})

MEDIA_TYPES = ("image/jpeg", "image/png", "application/pdf")


def sniff(head: bytes) -> str | None:
    """The media type the content's signature shows (JPEG, PNG or PDF), or ``None``."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def may_produce(role: Role, kind: DocumentKind) -> bool:
    return role in PRODUCERS[kind]
