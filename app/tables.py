"""Every table of the service, imported in one place so the metadata is complete
(Alembic's autogenerate and the test fixtures read it from here)."""

from app.approval import models as approval_models
from app.audit import models as audit_models
from app.auth import models as auth_models
from app.collection import models as collection_models
from app.contracts import models as contract_models
from app.core import idempotency
from app.core.models import Base
from app.documents import models as document_models
from app.payment_files import models as payment_file_models
from app.prescreening import models as prescreening_models
from app.reference import models as reference_models
from app.reminders import models as reminder_models
from app.scoring import models as scoring_models
from app.servicing import models as servicing_models
from app.simulation import models as simulation_models
from app.slik import models as slik_models
from app.survey import models as survey_models
from app.webhooks import models as webhook_models

__all__ = [
    "Base",
    "approval_models",
    "audit_models",
    "auth_models",
    "collection_models",
    "contract_models",
    "document_models",
    "idempotency",
    "payment_file_models",
    "prescreening_models",
    "reference_models",
    "reminder_models",
    "scoring_models",
    "servicing_models",
    "simulation_models",
    "slik_models",
    "survey_models",
    "webhook_models",
]
