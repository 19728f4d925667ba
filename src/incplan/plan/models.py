"""Pydantic models of a plan (SPEC §2). Unknown keys are errors everywhere."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PositiveInt,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from incplan.plan.durations import DURATION_PATTERN, parse_duration

# Names every template already has (SPEC §2); a variable can't be declared with one of them.
RESERVED_NAMES = frozenset(
    {"org", "incident", "severity", "stage", "channel", "roles", "people", "now", "next_update", "update", "components"}
)
# A component's status on a record: Statuspage's own words.
COMPONENT_STATUSES = ("operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance")
HANDLE_PATTERN = r"^@[A-Za-z0-9][A-Za-z0-9_.-]*$"
LOCALE_PATTERN = r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$"
ENV_NAME_PATTERN = r"^[A-Z_][A-Z0-9_]*$"
GITHUB_PATTERN = r"^@?[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}$"
ID_PATTERN = r"^[a-z][a-z0-9_]*$"
_HANDLE = re.compile(HANDLE_PATTERN)
_LOCALE = re.compile(LOCALE_PATTERN)
_ENV_NAME = re.compile(ENV_NAME_PATTERN)
_GITHUB = re.compile(GITHUB_PATTERN)


def _duration(value: Any) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PydanticCustomError("duration", "a duration must be text like `15m`")
    try:
        return parse_duration(str(value))
    except ValueError as exc:
        raise PydanticCustomError("duration", str(exc)) from None


def _timezone(value: Any) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("timezone", "a timezone must be an IANA name like `Europe/Warsaw`")
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(value)
    except (ValueError, LookupError, OSError):
        raise PydanticCustomError(
            "timezone", "`{value}` is not an IANA timezone; use a name like `Europe/Warsaw` or `UTC`", {"value": value}
        ) from None
    return value


def _locale(value: Any) -> str:
    if not isinstance(value, str) or not _LOCALE.match(value):
        raise PydanticCustomError(
            "locale", "`{value}` is not a locale tag; use one like `en`, `pl` or `pt-BR`", {"value": str(value)[:40]}
        )
    return value


def _handle(value: Any) -> str:
    if not isinstance(value, str) or not _HANDLE.match(value):
        raise PydanticCustomError(
            "handle",
            "`{value}` is not a person reference; write `@handle` for a key of `people`",
            {"value": str(value)[:40]},
        )
    return value


def _env_name(value: Any) -> str:
    # Never echo the value: a literal secret pasted here must not reach any output.
    if not isinstance(value, str) or not _ENV_NAME.match(value):
        raise PydanticCustomError(
            "env_name", "this must be the name of an environment variable (like `SLACK_WEBHOOK_URL`), not its value"
        )
    return value


def _github(value: Any) -> str:
    if not isinstance(value, str) or not _GITHUB.match(value):
        raise PydanticCustomError(
            "github",
            "`{value}` is not a GitHub user name; write it like `octocat` (letters, digits, single hyphens)",
            {"value": str(value)[:40]},
        )
    return value.removeprefix("@")


Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "description": "30s, 15m, 1h30m, 2d"}),
]
Timezone = Annotated[str, BeforeValidator(_timezone), WithJsonSchema({"type": "string"})]
Locale = Annotated[str, BeforeValidator(_locale), WithJsonSchema({"type": "string", "pattern": LOCALE_PATTERN})]
Handle = Annotated[str, BeforeValidator(_handle), WithJsonSchema({"type": "string", "pattern": HANDLE_PATTERN})]
GitHubLogin = Annotated[
    str,
    BeforeValidator(_github),
    WithJsonSchema({"type": "string", "pattern": GITHUB_PATTERN, "description": "GitHub user name, e.g. octocat"}),
]
EnvName = Annotated[str, BeforeValidator(_env_name), WithJsonSchema({"type": "string", "pattern": ENV_NAME_PATTERN})]


def _cadence(value: Any) -> Any:
    # `update_every: 15m` is shorthand for one cadence at every stage.
    return value if isinstance(value, dict) else {"*": value}


Cadence = Annotated[
    dict[str, Duration],
    BeforeValidator(_cadence),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": DURATION_PATTERN},
                {"type": "object", "additionalProperties": {"type": "string", "pattern": DURATION_PATTERN}},
            ]
        }
    ),
]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organization(Model):
    name: str
    product: str | None = None
    status_page_url: str | None = None
    support_url: str | None = None
    timezone: Timezone = "UTC"
    locales: Annotated[list[Locale], Field(min_length=1)] = ["en"]


class Person(Model):
    name: str
    email: str | None = None
    chat: str | None = None
    phone: str | None = None
    github: GitHubLogin | None = None  # pull requests that change this person's roles @-mention them


class Criterion(Model):
    id: str
    question: str
    severity: str


class Definition(Model):
    incident: str
    not_incident: list[str] = []
    criteria: list[Criterion] = []


Impact = Literal["none", "minor", "major", "critical"]


class SeverityLevel(Model):
    name: str
    description: str = ""
    examples: list[str] = []
    impact: Impact = "major"
    first_update_within: Duration | None = None
    update_every: Cadence | None = None
    roles: list[str] = []
    channels: list[str] = []

    def cadence(self, stage: str) -> timedelta | None:
        if self.update_every is None:
            return None
        return self.update_every.get(stage, self.update_every.get("*"))


class Role(Model):
    name: str
    people: list[Handle] = []
    responsibilities: list[str] = []


class StatuspageDelivery(Model):
    kind: Literal["statuspage"]
    api_key_env: EnvName
    page_id: str
    api_base: str = "https://api.statuspage.io/v1"
    components: dict[str, str] = {}  # plan component id -> Statuspage component id


class SlackDelivery(Model):
    kind: Literal["slack"]
    webhook_url_env: EnvName


class TeamsDelivery(Model):
    kind: Literal["teams"]
    webhook_url_env: EnvName


class EmailDelivery(Model):
    model_config = ConfigDict(populate_by_name=True)

    kind: Literal["email"]
    host: str
    port: Annotated[int, Field(ge=1, le=65535)] = 587
    from_: Annotated[str, Field(alias="from")]
    to: Annotated[list[str], Field(min_length=1)]
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username_env: EnvName | None = None
    password_env: EnvName | None = None


class WebhookDelivery(Model):
    kind: Literal["webhook"]
    url_env: EnvName
    secret_env: EnvName


E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"
_E164 = re.compile(E164_PATTERN)


def _e164(value: Any) -> str:
    if not isinstance(value, str) or not _E164.match(value):
        raise PydanticCustomError("e164", "not an E.164 phone number; write it like `+48600100200` (no spaces)")
    return value


E164 = Annotated[str, BeforeValidator(_e164), WithJsonSchema({"type": "string", "pattern": E164_PATTERN})]


class _SmsDelivery(Model):
    """Recipients are listed (`to`) or named by an environment variable (`to_env`, comma-separated
    E.164 numbers), never both: a customer list is personal data that may not belong in git."""

    model_config = ConfigDict(populate_by_name=True)

    to: list[E164] = []
    to_env: EnvName | None = None

    @model_validator(mode="after")
    def _one_recipient_source(self) -> _SmsDelivery:
        if bool(self.to) == bool(self.to_env):
            raise PydanticCustomError(
                "recipients", "give the recipients as `to` (E.164 numbers) or `to_env`, one of them"
            )
        return self


class TwilioDelivery(_SmsDelivery):
    kind: Literal["twilio"]
    account_sid_env: EnvName
    auth_token_env: EnvName
    from_: Annotated[str, Field(alias="from", min_length=1)]
    api_base: str = "https://api.twilio.com"


class SmsapiDelivery(_SmsDelivery):
    kind: Literal["smsapi"]
    token_env: EnvName
    from_: Annotated[str | None, Field(alias="from")] = None  # a registered sender name; none sends "eco"
    api_base: str = "https://api.smsapi.pl"


Delivery = Annotated[
    StatuspageDelivery
    | SlackDelivery
    | TeamsDelivery
    | EmailDelivery
    | WebhookDelivery
    | TwilioDelivery
    | SmsapiDelivery,
    Field(discriminator="kind"),
]

ChannelType = Literal["status_page", "email", "chat", "social", "sms", "help_center", "in_app", "webhook", "other"]


class Channel(Model):
    name: str
    type: ChannelType
    audience: str
    owner: str | None = None
    purpose: str = ""
    access: str | None = None
    format: Literal["text", "markdown", "html"] = "text"
    max_length: PositiveInt | None = None
    delivery: Delivery | None = None

    @property
    def is_customer(self) -> bool:
        """Customers read it (audience `customers`, `enterprise customers`...): the one test."""
        return "customer" in self.audience.lower()


class Stage(Model):
    name: str
    description: str = ""
    final: bool = False


class Variable(Model):
    description: str
    example: str | None = None
    required: bool = True
    default: str | None = None


class Translation(Model):
    subject: str | None = None
    body: str


def _message(value: Any) -> Any:
    # A message may be written as its body alone.
    return {"body": value} if isinstance(value, str) else value


class MessageSpec(Model):
    subject: str | None = None
    body: str
    translations: dict[Locale, Annotated[Translation, BeforeValidator(_message)]] = {}


Message = Annotated[
    MessageSpec,
    BeforeValidator(_message),
    # plan.schema splices the MessageSpec definition in place of this marker.
    WithJsonSchema({"anyOf": [{"type": "string"}, {"x-incplan": "MessageSpec"}]}),
]


class Component(Model):
    """A part of the service as customers see it (as on a status page)."""

    name: str
    description: str = ""
    group: str | None = None


class Value(Model):
    name: str
    description: str = ""
    in_practice: list[str] = []


RuleLevel = Literal["off", "info", "warning", "error"]


class LintConfig(Model):
    ignore: list[str] = []
    rules: dict[str, RuleLevel] = {}


MAINTENANCE = "maintenance"  # the severity id a maintenance record carries; its stages come from `maintenance:`


def _default_maintenance_stages() -> dict[str, Stage]:
    # Statuspage's words for a scheduled maintenance's life.
    return {
        "scheduled": Stage(name="Scheduled", description="Announced; nothing has changed yet."),
        "in_progress": Stage(name="In progress", description="The work is under way."),
        "verifying": Stage(name="Verifying", description="The work is done; we are checking the result."),
        "completed": Stage(name="Completed", description="Finished; everything works as before.", final=True),
    }


class MaintenanceSection(Model):
    """Scheduled maintenance (SPEC §10): its own stages and templates, told like an incident."""

    stages: dict[str, Stage] = Field(default_factory=_default_maintenance_stages, min_length=1)
    channels: list[str] = []  # who hears about maintenance; default: every customer channel
    first_update_within: Duration | None = None  # after scheduling
    update_every: Cadence | None = None  # per stage, as for a severity (e.g. {in_progress: 1h})
    templates: dict[str, dict[str, Message]] = {}


class Plan(Model):
    version: Literal[1]
    organization: Organization
    owner: Handle | None = None
    reviewed: date | None = None
    review_every: Duration | None = None
    incidents_dir: str | None = None
    people: dict[str, Person] = {}
    definition: Definition
    severities: Annotated[dict[str, SeverityLevel], Field(min_length=1)]
    roles: dict[str, Role] = {}
    channels: dict[str, Channel] = {}
    stages: Annotated[dict[str, Stage], Field(min_length=1)]
    variables: dict[str, Variable] = {}
    components: dict[str, Component] = {}
    templates: dict[str, dict[str, Message]] = {}
    # `incplan incident remind --send`: the text posted to internal channels when a customer
    # update falls due (`next_update` is the due time); a built-in text when absent.
    reminder: Message | None = None
    maintenance: MaintenanceSection | None = None
    values: list[Value] = []
    lint: LintConfig = LintConfig()

    def maintenance_view(self) -> Plan:
        """The plan as a maintenance record sees it: the maintenance stages and templates, and
        one severity (`maintenance`) routing to its channels, so that notify, cadence, reminders
        and delivery treat a maintenance like an incident."""
        section = self.maintenance or MaintenanceSection()
        channels = section.channels or [cid for cid, ch in self.channels.items() if ch.is_customer]
        severity = SeverityLevel(
            name="Maintenance",
            impact="none",
            first_update_within=section.first_update_within,
            update_every=section.update_every,
            channels=channels,
        )
        return self.model_copy(
            update={"stages": section.stages, "templates": section.templates, "severities": {MAINTENANCE: severity}}
        )

    def for_record(self, record: Any) -> Plan:
        """The plan itself for an incident, its maintenance view for a maintenance record."""
        return self.maintenance_view() if getattr(record, "kind", "incident") == MAINTENANCE else self

    @property
    def default_locale(self) -> str:
        return self.organization.locales[0]

    def message_for(self, stage: str, channel: str) -> tuple[str, MessageSpec] | None:
        """The message a channel gets at a stage: its own, else the stage's `default`."""
        by_channel = self.templates.get(stage, {})
        if channel in by_channel:
            return channel, by_channel[channel]
        if "default" in by_channel:
            return "default", by_channel["default"]
        return None

    def person(self, handle: str) -> Person | None:
        return self.people.get(handle.removeprefix("@"))
