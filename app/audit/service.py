"""Stage 5 — audit findings. Only auditors see them; no event, list or other response carries
them. An open blocking finding holds approval and disbursement, with a neutral reason."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.audit.models import AuditFinding
from app.auth.service import Principal
from app.contracts.models import Contract
from app.core.clock import utcnow
from app.core.errors import Conflict, NotFound
from app.core.i18n import _

HELD = "held by audit"


def on_hold(session: Session, contract: Contract) -> bool:
    return (
        session.scalar(
            select(AuditFinding.id)
            .where(
                AuditFinding.contract_id == contract.id,
                AuditFinding.status == "open",
                AuditFinding.severity == "blocking",
            )
            .limit(1)
        )
        is not None
    )


def ensure_not_held(session: Session, contract: Contract, what: str) -> None:
    if on_hold(session, contract):
        raise Conflict(
            _("Contract {number} is {state}; {what} waits until it is lifted.").format(
                number=contract.number, state=HELD, what=_(what)
            )
        )


def findings(session: Session, contract: Contract) -> list[AuditFinding]:
    return list(
        session.scalars(
            select(AuditFinding)
            .where(AuditFinding.contract_id == contract.id)
            .order_by(AuditFinding.id)
        )
    )


def raise_finding(
    session: Session,
    auditor: Principal,
    contract: Contract,
    parameter: str,
    remark: str,
    severity: str,
) -> AuditFinding:
    finding = AuditFinding(
        contract_id=contract.id,
        parameter=parameter,
        remark=remark,
        severity=severity,
        status="open",
        raised_by_id=auditor.user_id,
    )
    session.add(finding)
    session.flush()
    return finding


def resolve(
    session: Session, auditor: Principal, contract: Contract, finding_id: int, resolution: str
) -> AuditFinding:
    finding = session.scalar(
        select(AuditFinding).where(
            AuditFinding.id == finding_id, AuditFinding.contract_id == contract.id
        )
    )
    if finding is None:
        raise NotFound(
            _("No finding {id} on contract {number}.").format(id=finding_id, number=contract.number)
        )
    if finding.status == "resolved":
        raise Conflict(_("Finding {id} is already resolved.").format(id=finding_id))
    finding.status = "resolved"
    finding.resolved_by_id = auditor.user_id
    finding.resolved_at = utcnow()
    finding.resolution = resolution
    session.flush()
    return finding
