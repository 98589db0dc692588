"""Roles and the one table that says which role may do what (DESIGN §1).

Every endpoint names a permission; a role not listed for it gets 403. Row scoping (branch,
dealer, owner) is applied in queries, not here.
"""

from enum import StrEnum


class Role(StrEnum):
    DEALER = "dealer"
    SALESMAN = "salesman"
    CUSTOMER_SERVICE = "customer_service"
    CREDIT_ANALYST = "credit_analyst"
    SURVEYOR = "surveyor"
    APPROVER = "approver"
    AUDITOR = "auditor"
    FINANCE = "finance"
    COLLECTOR = "collector"
    ADMIN = "admin"
    INTEGRATION = "integration"


class Permission(StrEnum):
    ME_READ = "me:read"
    CONTRACT_SUBMIT = "contract:submit"
    CONTRACT_READ = "contract:read"
    SURVEY_READ = "survey:read"
    CUSTOMER_READ = "customer:read"
    CUSTOMER_MATCH = "customer:match"
    DECISION_READ = "decision:read"
    PACKAGE_READ = "package:read"
    SIMULATE = "simulate"
    APPROVAL_READ = "approval:read"
    SCHEDULE_READ = "schedule:read"
    PAYMENT_POST = "payment:post"
    PAYMENT_FILE = "payment_file"
    WEBHOOK_MANAGE = "webhook:manage"
    CLOSE_OF_BUSINESS = "close_of_business"
    REPORT_READ = "report:read"
    COLLECTION_WORK = "collection:work"
    COLLECTION_ASSIGN = "collection:assign"
    REMINDER_CONSENT = "reminder:consent"
    RESTRUCTURE_REQUEST = "restructure:request"
    RESTRUCTURE_DECIDE = "restructure:decide"
    RESTRUCTURE_READ = "restructure:read"
    COLLATERAL_WRITE = "collateral:write"
    REFUND = "refund"
    LATE_CHARGE_WAIVE = "late_charge:waive"
    TRACKING_READ = "tracking:read"
    EVENT_FEED = "event_feed:read"
    NEGATIVE_LIST_READ = "negative_list:read"
    NEGATIVE_LIST_WRITE = "negative_list:write"
    REFERENCE_READ = "reference:read"
    REFERENCE_WRITE = "reference:write"
    USER_MANAGE = "user:manage"
    COLLATERAL_OVERDUE = "collateral:overdue"
    REPOSSESSION_READ = "repossession:read"
    REPOSSESSION_APPRAISE = "repossession:appraise"
    REPOSSESSION_COST = "repossession:cost"
    DOCUMENT_UPLOAD = "document:upload"
    DOCUMENT_READ = "document:read"
    SLIK_REPORT = "slik:report"


R = Role
_EVERYONE = frozenset(Role)
# Staff: every person of the leasing company and its integrations, but not a dealer's machine.
_STAFF = _EVERYONE - {R.DEALER}

PERMISSIONS: dict[Permission, frozenset[Role]] = {
    Permission.ME_READ: _EVERYONE,
    Permission.CONTRACT_SUBMIT: frozenset({R.DEALER, R.SALESMAN, R.CUSTOMER_SERVICE}),
    Permission.CONTRACT_READ: _EVERYONE - {R.SURVEYOR, R.INTEGRATION},
    Permission.SURVEY_READ: frozenset({R.SURVEYOR, R.CREDIT_ANALYST}),
    Permission.CUSTOMER_READ: _STAFF - {R.INTEGRATION},
    # The stored decisions of stages 2 and 3; finance reads them before it pays a dealer.
    Permission.DECISION_READ: frozenset(
        {R.CUSTOMER_SERVICE, R.CREDIT_ANALYST, R.APPROVER, R.AUDITOR, R.FINANCE, R.ADMIN}
    ),
    # Dealers see the packages assigned to them, and may ask for a quote on one.
    Permission.PACKAGE_READ: _EVERYONE,
    Permission.SIMULATE: _EVERYONE,
    Permission.APPROVAL_READ: frozenset({R.APPROVER}),
    Permission.SCHEDULE_READ: frozenset({R.COLLECTOR, R.FINANCE, R.CUSTOMER_SERVICE}),
    Permission.PAYMENT_POST: frozenset({R.FINANCE, R.COLLECTOR}),
    # Settlement files, their suspense and its matching by hand: finance's back office.
    Permission.PAYMENT_FILE: frozenset({R.FINANCE}),
    # Webhooks: an admin for other systems, a dealer for its own contracts' events.
    Permission.WEBHOOK_MANAGE: frozenset({R.ADMIN, R.DEALER}),
    Permission.CLOSE_OF_BUSINESS: frozenset({R.ADMIN}),
    Permission.REPORT_READ: frozenset({R.ADMIN, R.COLLECTOR}),
    Permission.COLLECTION_WORK: frozenset({R.COLLECTOR}),
    Permission.COLLECTION_ASSIGN: frozenset({R.ADMIN}),
    # The debtor gives or withdraws his consent to reminders per channel, at a branch's
    # counter or on a collector's call.
    Permission.REMINDER_CONSENT: frozenset({R.CUSTOMER_SERVICE, R.COLLECTOR}),
    # Restructuring: the collector proposes, an approver decides (maker-checker by role).
    Permission.RESTRUCTURE_REQUEST: frozenset({R.COLLECTOR}),
    Permission.RESTRUCTURE_DECIDE: frozenset({R.APPROVER}),
    Permission.RESTRUCTURE_READ: frozenset(
        {R.COLLECTOR, R.APPROVER, R.FINANCE, R.CUSTOMER_SERVICE}
    ),
    # The fiduciary certificate and the BPKB are back-office documents.
    Permission.COLLATERAL_WRITE: frozenset({R.FINANCE}),
    # The work list of registrations and BPKBs past their deadline: branch finance chases
    # them, head office follows.
    Permission.COLLATERAL_OVERDUE: frozenset({R.FINANCE, R.ADMIN}),
    # Repossession to auction: the (remedial) collector records the hand-over and the
    # appraisal, finance the costs and the sale, an approver decides a shortfall.
    Permission.REPOSSESSION_READ: frozenset(
        {R.COLLECTOR, R.FINANCE, R.APPROVER, R.CUSTOMER_SERVICE, R.ADMIN}
    ),
    Permission.REPOSSESSION_APPRAISE: frozenset({R.COLLECTOR}),
    Permission.REPOSSESSION_COST: frozenset({R.FINANCE}),
    Permission.REFUND: frozenset({R.FINANCE}),
    Permission.LATE_CHARGE_WAIVE: frozenset({R.APPROVER}),
    Permission.TRACKING_READ: frozenset({R.CUSTOMER_SERVICE, R.DEALER, R.SALESMAN}),
    Permission.EVENT_FEED: frozenset({R.ADMIN, R.INTEGRATION}),
    Permission.CUSTOMER_MATCH: frozenset({R.CUSTOMER_SERVICE, R.CREDIT_ANALYST, R.ADMIN}),
    Permission.NEGATIVE_LIST_READ: frozenset({R.CREDIT_ANALYST, R.APPROVER, R.AUDITOR, R.ADMIN}),
    Permission.NEGATIVE_LIST_WRITE: frozenset({R.ADMIN}),
    Permission.REFERENCE_READ: _STAFF,
    Permission.REFERENCE_WRITE: frozenset({R.ADMIN}),
    Permission.USER_MANAGE: frozenset({R.ADMIN}),
    # Each kind of document from the roles that produce it (app/documents/kinds.py): the
    # showroom, the branch's CS, the surveyor and finance.
    Permission.DOCUMENT_UPLOAD: frozenset({R.DEALER, R.CUSTOMER_SERVICE, R.SURVEYOR, R.FINANCE}),
    # Within the contract's scope; personal papers only for roles that see personal data.
    Permission.DOCUMENT_READ: _EVERYONE - {R.INTEGRATION},
    # The monthly SLIK debtor report to OJK: finance produces it, head office (admin) too.
    Permission.SLIK_REPORT: frozenset({R.FINANCE, R.ADMIN}),
}


def allowed(role: Role, permission: Permission) -> bool:
    return role in PERMISSIONS[permission]
