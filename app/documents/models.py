"""A contract's documents and photos: one row per file handed in, never changed; a new
version of a kind is a new row (``version`` counts them per contract and kind)."""

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.models import Base, UTCDateTime
from app.documents.kinds import MEDIA_TYPES, DocumentKind

KIND_VALUES = tuple(kind.value for kind in DocumentKind)


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("contract_id", "kind", "version"),
        CheckConstraint(f"kind IN {KIND_VALUES!r}", name="kind"),
        CheckConstraint(f"media_type IN {MEDIA_TYPES!r}", name="media_type"),
        CheckConstraint("size > 0", name="size_positive"),
        CheckConstraint("length(sha256) = 64", name="sha256_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    # What the content is (read from its first bytes), not what its name or the client said.
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
