"""The demo portfolio's fixed vocabulary: perimeters, programmes, projects, people, reasons."""

from __future__ import annotations

from dataclasses import dataclass

PERIMETERS = (
    ("B2C", "Business to consumer"),
    ("B2B", "Business to business"),
    ("DATA", "Data & AI"),
    ("BAPI", "Business APIs"),
    ("CTO", "CTO office & platforms"),
)


@dataclass(frozen=True)
class ProjectSpec:
    """A project of the catalogue and the skills it mostly needs."""

    code: str
    name: str
    skills: tuple[str, ...]


@dataclass(frozen=True)
class ProgrammeSpec:
    """A programme of the catalogue."""

    perimeter: str
    code: str
    name: str
    projects: tuple[ProjectSpec, ...]


def _p(code: str, name: str, *skills: str) -> ProjectSpec:
    return ProjectSpec(code, name, skills or ("developer",))


PROGRAMMES = (
    ProgrammeSpec(
        "B2C",
        "CHECKOUT",
        "Checkout & payments",
        (
            _p("CHK-ONEPAGE", "One-page checkout", "developer", "ux"),
            _p("CHK-3DS2", "3-D Secure 2 compliance", "developer", "security"),
            _p("CHK-WALLET", "Digital wallets", "developer"),
            _p("CHK-FRAUD", "Real-time fraud scoring", "data", "developer"),
        ),
    ),
    ProgrammeSpec(
        "B2C",
        "LOYALTY",
        "Loyalty & CRM",
        (
            _p("LOY-APP", "Loyalty app redesign", "developer", "ux"),
            _p("LOY-CRM", "CRM migration", "developer", "data"),
            _p("LOY-OFFERS", "Personalised offers", "data"),
            _p("LOY-CONSENT", "Consent management", "developer", "security"),
        ),
    ),
    ProgrammeSpec(
        "B2B",
        "PORTAL",
        "Partner portal",
        (
            _p("PRT-SSO", "Portal single sign-on", "developer", "security"),
            _p("PRT-CATALOG", "B2B catalogue", "developer"),
            _p("PRT-QUOTES", "Online quotes", "developer", "ux"),
            _p("PRT-SUPPORT", "Self-service support", "developer"),
        ),
    ),
    ProgrammeSpec(
        "B2B",
        "BILLING",
        "B2B billing",
        (
            _p("BIL-EINVOICE", "E-invoicing mandate", "developer"),
            _p("BIL-RATING", "Usage rating engine", "developer", "data"),
            _p("BIL-DUNNING", "Dunning automation", "developer"),
            _p("BIL-TAX", "Tax engine upgrade", "developer"),
        ),
    ),
    ProgrammeSpec(
        "DATA",
        "LAKEHOUSE",
        "Lakehouse migration",
        (
            _p("LKH-INGEST", "Streaming ingestion", "data", "ops"),
            _p("LKH-CATALOG", "Data catalogue", "data"),
            _p("LKH-MIGRATE", "Warehouse migration", "data"),
            _p("LKH-QUALITY", "Data quality monitoring", "data"),
        ),
    ),
    ProgrammeSpec(
        "DATA",
        "AIOPS",
        "AI for operations",
        (
            _p("AI-FORECAST", "Demand forecasting", "data"),
            _p("AI-ASSIST", "Agent assist", "data", "developer"),
            _p("AI-MLOPS", "MLOps platform", "data", "ops"),
            _p("AI-GOV", "AI governance", "data", "security"),
        ),
    ),
    ProgrammeSpec(
        "BAPI",
        "OPENAPI",
        "Open API platform",
        (
            _p("API-GATEWAY", "API gateway renewal", "developer", "ops"),
            _p("API-PORTAL", "Developer portal", "developer", "ux"),
            _p("API-OAUTH", "OAuth2 scopes", "developer", "security"),
            _p("API-MONETISE", "API monetisation", "developer"),
        ),
    ),
    ProgrammeSpec(
        "BAPI",
        "PARTNERS",
        "Partner integrations",
        (
            _p("PTN-BANKS", "Bank connectors", "developer"),
            _p("PTN-MARKET", "Marketplace connectors", "developer"),
            _p("PTN-EDI", "EDI modernisation", "developer", "ops"),
            _p("PTN-EVENTS", "Event streaming for partners", "developer", "data"),
        ),
    ),
    ProgrammeSpec(
        "CTO",
        "CLOUD",
        "Cloud migration",
        (
            _p("CLD-LANDING", "Landing zone", "ops", "security"),
            _p("CLD-K8S", "Kubernetes platform", "ops"),
            _p("CLD-DCEXIT", "Datacentre exit wave 1", "ops"),
            _p("CLD-FINOPS", "FinOps tooling", "ops", "data"),
        ),
    ),
    ProgrammeSpec(
        "CTO",
        "SECURITY",
        "Zero trust",
        (
            _p("SEC-IAM", "Workforce IAM", "security"),
            _p("SEC-ZTNA", "Zero-trust network access", "security", "ops"),
            _p("SEC-SIEM", "SIEM renewal", "security"),
            _p("SEC-PAM", "Privileged access management", "security"),
        ),
    ),
)

FIRST_NAMES = (
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Emma", "Clara", "Anaïs",
    "Lucas", "Hugo", "Thomas", "Nicolas", "Julien", "Maxime", "Antoine", "Karim", "Mehdi",
    "Romain", "Sophie", "Nadia", "Yanis", "Paul", "Élodie", "Mathilde", "Bastien", "Olivier",
)  # fmt: skip
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre",
    "Michel", "Garcia", "Fournier", "Rousseau", "Vincent", "Muller", "Faure", "Mercier",
    "Blanc", "Guerin", "Boyer", "Chevalier", "Benali", "Nguyen", "Haddad", "Perrin",
)  # fmt: skip

PMO_AUTHORS = ("claire.dubois", "marc.leroy", "nadia.benali")

MILESTONES = (
    ("DESIGN", "Design signed off", 0.2, 3),
    ("MVP", "Minimum viable product", 0.5, 2),
    ("PILOT", "Pilot in production", 0.8, 2),
    ("GO-LIVE", "General availability", 1.0, 1),
)

SHIFT_REASONS = (
    "Dependency on the group IAM platform delivered late",
    "Key architect reallocated to a higher-priority programme",
    "Scope added by the business after user acceptance tests",
    "Supplier delay on the test environment",
    "Performance issues found during the pilot",
    "Security review findings to fix before go-live",
    "Integration partner postponed its release",
    "Team capacity reduced by production incidents",
    "Budget freeze pending the steering committee's arbitration",
    "Regulatory interpretation changed, specifications reworked",
)

ARBITRATION_REASONS = {
    "from_reserve": (
        "Overrun on integration costs, covered by the perimeter reserve",
        "Additional security work required by the audit",
        "Acceleration requested by the business sponsor",
    ),
    "to_reserve": (
        "Project delayed: unspent budget returned to the reserve",
        "Scope reduced after the backlog arbitration",
        "Supplier discount obtained on licences",
    ),
    "transfer": (
        "Reprioritisation within the programme after the backlog arbitration",
        "Shared component funded by the project that benefits first",
        "Rebalancing after the quarterly forecast",
    ),
    "raise": ("Group grant for the regulatory deadline", "Mid-year budget increase voted"),
    "cut": ("Group savings plan", "Scope cut after the go/no-go review"),
}

MOVE_REASONS = (
    "Architect moved to secure the go-live of a priority-1 milestone",
    "Skills needed on the critical path of another programme",
    "Rebalancing after the capacity review",
)

RISKS = (
    ("Key supplier may not deliver the connector on time", "Weekly checkpoint with the supplier"),
    ("Loss of the only expert on the legacy system", "Pair programming and documentation"),
    ("Performance of the new platform under peak load", "Load tests before the pilot"),
    ("Regulatory deadline may move earlier", "Monitor the regulator's publications"),
    ("Budget overrun on cloud consumption", "FinOps alerts and monthly review"),
    ("Data migration quality issues", "Reconciliation reports on each run"),
    ("Business sponsor availability for acceptance", "Book acceptance slots now"),
    ("Security findings blocking the go-live", "Early penetration test"),
    ("Dependency on the group IAM roadmap", "Escalate needs to the platform review"),
    ("Change fatigue in the user community", "Change management plan with champions"),
)

RISK_RESOLUTIONS = ("mitigated", "occurred, impact absorbed", "no longer relevant", "accepted")

CORRECTION_REASONS = (
    "Forgot to log the migration weekend",
    "Days booked on the wrong project",
    "Half-day of training logged as project time",
    "Late correction after the month-end reconciliation",
)

PLATFORMS = ("Group IAM", "API gateway", "Core banking sandbox", "Group data platform")
COMPONENTS = ("Design system", "Payment gateway", "Notification service")

DEMANDS = (
    ("Group Security", "Penetration test campaign"),
    ("Group Finance", "ERP upgrade support"),
    ("Group IT", "Datacentre exit preparation"),
    ("Subsidiary Iberia", "Roll-out support"),
    ("Group Procurement", "Supplier audit"),
)

BACKLOG_THEMES = (
    "Login and onboarding",
    "Search and filters",
    "Notifications",
    "Reporting dashboard",
    "Admin back office",
    "Audit trail",
    "Data export",
    "Accessibility fixes",
    "Performance tuning",
    "Monitoring and alerting",
    "Batch reconciliation",
    "Partner API",
    "Mobile screens",
    "Role-based access",
)
