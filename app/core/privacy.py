"""Personal data (NIK, mother's maiden name, phone, address) and who may see it in clear."""

from app.auth.roles import Role

# Roles whose work needs the customer's identity and whereabouts in full.
SEES_PERSONAL_DATA = frozenset(
    {
        Role.CUSTOMER_SERVICE,
        Role.CREDIT_ANALYST,
        Role.SURVEYOR,
        Role.APPROVER,
        Role.AUDITOR,
        Role.COLLECTOR,
        Role.ADMIN,
    }
)


def mask_nik(nik: str) -> str:
    """``3171011708450001`` → ``3171********0001``: region and sequence, no birth date."""
    return nik[:4] + "*" * (len(nik) - 8) + nik[-4:] if len(nik) > 8 else "*" * len(nik)


def mask_phone(phone: str) -> str:
    """``+6281234567890`` → ``+62812*****890``."""
    return phone[:6] + "*" * max(len(phone) - 9, 0) + phone[-3:] if len(phone) > 9 else "***"


def mask_email(email: str) -> str:
    """``siti@example.co.id`` → ``s***@example.co.id``."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def mask_text(_value: str) -> str:
    """Free text (an address, a mother's name) cannot be partly shown safely."""
    return "***"
