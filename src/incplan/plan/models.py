"""Pydantic models of a plan (SPEC §2). Unknown keys are errors everywhere."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from incplan.plan.destinations import valid_host
from incplan.plan.durations import DURATION_PATTERN, parse_duration
from incplan.plan.names import E164_PATTERN, ENV_NAME_PATTERN, GITHUB_PATTERN, HANDLE_PATTERN, LOCALE_PATTERN

# Names every template already has (SPEC §2); a variable can't be declared with one of them.
RESERVED_NAMES = frozenset(
    {"org", "incident", "severity", "stage", "channel", "roles", "people", "now", "next_update", "update", "components"}
)
# A component's status on a record: Statuspage's own words.
COMPONENT_STATUSES = ("operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance")
_HANDLE = re.compile(HANDLE_PATTERN)
_LOCALE = re.compile(LOCALE_PATTERN)
_ENV_NAME = re.compile(ENV_NAME_PATTERN)
_GITHUB = re.compile(GITHUB_PATTERN)


def _duration(value: object) -> timedelta:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PydanticCustomError("duration", "a duration must be text like `15m`")
    try:
        span = parse_duration(str(value))
    except ValueError as exc:
        raise PydanticCustomError("duration", str(exc)) from None
    if span > LONGEST:  # record times keep a year of room below datetime's end: no due time overflows
        raise PydanticCustomError("duration", "`{value}` is longer than a year", {"value": str(value)})
    return span


LONGEST = timedelta(days=366)  # any span a plan gives (cadence, first update, reminders)


def _timezone(value: object) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("timezone", "a timezone must be an IANA name like `Europe/Warsaw`")
    from incplan.plan.timezones import is_timezone

    if not is_timezone(value):
        raise PydanticCustomError(
            "timezone", "`{value}` is not an IANA timezone; use a name like `Europe/Warsaw` or `UTC`", {"value": value}
        )
    return value


def _matching(pattern: re.Pattern[str], kind: str, message: str) -> Callable[[object], str]:
    """A validator of text that matches `pattern`; `message` names the value as `{value}`."""

    def check(value: object) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise PydanticCustomError(kind, message, {"value": str(value)[:40]})
        return value

    return check


_locale = _matching(_LOCALE, "locale", "`{value}` is not a locale tag; use one like `en`, `pl` or `pt-BR`")
_handle = _matching(_HANDLE, "handle", "`{value}` is not a person reference; write `@handle` for a key of `people`")
_github_login = _matching(
    _GITHUB, "github", "`{value}` is not a GitHub user name; write it like `octocat` (letters, digits, single hyphens)"
)


def _env_name(value: object) -> str:
    # Never echo the value: a literal secret pasted here must not reach any output.
    if not isinstance(value, str) or not _ENV_NAME.fullmatch(value):
        raise PydanticCustomError(
            "env_name", "this must be the name of an environment variable (like `SLACK_WEBHOOK_URL`), not its value"
        )
    return value


def _github(value: object) -> str:
    return _github_login(value).removeprefix("@")


# A folder below the plan's: segments of anything but `/` and `\`, none of them `.` or `..` (the
# state folder `.incplan` goes beside it, so it must have a parent inside the plan's folder too).
_SEGMENT = r"(?:[^./\\]|\.[^./\\]|\.\.[^/\\])[^/\\]*"
FOLDER_PATTERN = rf"^(?:{_SEGMENT})(?:/(?:{_SEGMENT}))*/?$"
_FOLDER = re.compile(FOLDER_PATTERN)


def _folder(value: object) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("folder", "a folder must be text like `incidents`")
    if not _FOLDER.fullmatch(value):
        raise PydanticCustomError(
            "folder",
            "a folder below the plan's is needed: a relative path without `.` or `..` (like `incidents`)",
        )
    return value


Folder = Annotated[str, BeforeValidator(_folder), WithJsonSchema({"type": "string", "pattern": FOLDER_PATTERN})]
Duration = Annotated[
    timedelta,
    BeforeValidator(_duration),
    WithJsonSchema({"type": "string", "pattern": DURATION_PATTERN, "description": "30s, 15m, 1h30m, 2d"}),
]
Timezone = Annotated[str, BeforeValidator(_timezone), WithJsonSchema({"x-incplan": "Timezone"})]
Locale = Annotated[str, BeforeValidator(_locale), WithJsonSchema({"type": "string", "pattern": LOCALE_PATTERN})]
Handle = Annotated[str, BeforeValidator(_handle), WithJsonSchema({"type": "string", "pattern": HANDLE_PATTERN})]
GitHubLogin = Annotated[
    str,
    BeforeValidator(_github),
    WithJsonSchema({"type": "string", "pattern": GITHUB_PATTERN, "description": "GitHub user name, e.g. octocat"}),
]
EnvName = Annotated[str, BeforeValidator(_env_name), WithJsonSchema({"type": "string", "pattern": ENV_NAME_PATTERN})]


def _cadence(value: object) -> object:
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


class Translated(Model):
    """An object whose words (`name`, `description`, `question`...) may be given per locale.

    Each subclass declares `translations: dict[Locale, <its Translation>]`, a model holding the
    same text fields, all optional: what a translation leaves out falls back to the default locale.
    """

    def in_locale(self, locale: str | None) -> Self:
        translations: dict[str, BaseModel] = getattr(self, "translations", {})
        found = translations.get(locale) if locale else None
        if found is None:
            return self
        return self.model_copy(update={k: v for k, v in found if v is not None})


class DefinitionTranslation(Model):
    incident: str | None = Field(None, description="What counts as an incident, in this locale.")
    not_incident: list[str] | None = Field(None, description="Events that are not incidents, in this locale.")


class CriterionTranslation(Model):
    question: str | None = Field(None, description="The yes/no question in this locale.")


class SeverityTranslation(Model):
    name: str | None = Field(None, description="The name in this locale.")
    description: str | None = Field(None, description="The description in this locale.")
    examples: list[str] | None = Field(None, description="Typical events of this severity, in this locale.")


class RoleTranslation(Model):
    name: str | None = Field(None, description="The name in this locale.")
    responsibilities: list[str] | None = Field(None, description="What the person in this role does, in this locale.")


class ChannelTranslation(Model):
    name: str | None = Field(None, description="The name in this locale.")
    purpose: str | None = Field(None, description="What the channel is for, in this locale.")
    access: str | None = Field(None, description="How to get access, in this locale (never the secret itself).")


class StageTranslation(Model):
    name: str | None = Field(None, description="The name in this locale.")
    description: str | None = Field(None, description="The description in this locale.")


class VariableTranslation(Model):
    description: str | None = Field(None, description="The description in this locale.")


class ComponentTranslation(Model):
    name: str | None = Field(None, description="The name in this locale.")
    description: str | None = Field(None, description="The description in this locale.")
    group: str | None = Field(None, description="The group shown on the status page, in this locale.")


class ValueTranslation(Model):
    name: str | None = Field(None, description="The name in this locale.")
    description: str | None = Field(None, description="The description in this locale.")
    in_practice: list[str] | None = Field(None, description="What people do because of it, in this locale.")


def _time_format(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PydanticCustomError("time_format", "a time format is `short`, `medium`, `long`, `iso` or a CLDR pattern")
    from incplan.localize import check_time_format

    problem = check_time_format(value)
    if problem:
        raise PydanticCustomError("time_format", "{problem}", {"problem": problem})
    return value


TimeFormat = Annotated[
    str,
    BeforeValidator(_time_format),
    WithJsonSchema({"type": "string", "examples": ["short", "medium", "long", "iso", "d MMM y, HH:mm z"]}),
]


class Organization(Model):
    """Who the plan is for."""

    name: str = Field(description="The organization's name as customers know it; templates read it as `org.name`.")
    product: str | None = Field(
        None, description="The product or service the plan covers, if not the whole organization."
    )
    status_page_url: str | None = Field(
        None, description="Public status page address, quoted in messages as `org.status_page_url`."
    )
    support_url: str | None = Field(
        None, description="Where customers get help, quoted in messages as `org.support_url`."
    )
    timezone: Timezone = Field(
        "UTC", description="IANA timezone (like `Europe/Warsaw`) for times in messages; default UTC."
    )
    locales: Annotated[
        list[Locale],
        Field(min_length=1, description="Message languages (like `en`, `pl`, `pt-BR`); the first is the default."),
    ] = ["en"]
    time_format: TimeFormat = Field(
        "medium",
        description="Times in messages: short, medium (default), long, iso, or a CLDR pattern.",
    )


def _one_address(value: str) -> str:
    from incplan.plan.destinations import one_address

    if not one_address(value):
        raise PydanticCustomError("email", "not one email address; write a single address like `mia@orbit.example`")
    return value


EmailAddress = Annotated[str, AfterValidator(_one_address)]


def _one_sender(value: str) -> str:
    from incplan.plan.destinations import one_sender

    if not one_sender(value):
        raise PydanticCustomError(
            "email",
            "not one sender; write an address like `status@orbit.example`, or `Orbit Status <status@orbit.example>`",
        )
    return value


Sender = Annotated[str, AfterValidator(_one_sender)]


class Person(Model):
    """A member of the roster."""

    name: str = Field(description="Full name, as shown in playbooks and role lists.")
    email: EmailAddress | None = Field(None, description="One email address, for rosters and pages.")
    chat: str | None = Field(None, description="Chat handle (like `@alice`), for rosters and pages.")
    phone: str | None = Field(None, description="Phone number to call when paging by hand.")
    github: GitHubLogin | None = Field(
        None, description="GitHub login; pull requests that change this person's roles mention them."
    )


class Criterion(Translated):
    """A yes/no question that classifies an event."""

    id: str = Field(description="Short id of the question, used by `incplan classify --yes ID` / `--no ID`.")
    question: str = Field(description="A yes/no question a responder can answer at 3 a.m.")
    severity: str = Field(description="The severity (a key of `severities`) that a yes to this question means.")
    translations: dict[Locale, CriterionTranslation] = Field(
        {},
        description="The question per locale; what is left out falls back to the default locale.",
    )


class Definition(Translated):
    """What an incident is, and how to classify one."""

    incident: str = Field(description="What counts as an incident, in one or two sentences.")
    not_incident: list[str] = Field([], description="Events that are not incidents (so nobody pages for them).")
    criteria: list[Criterion] = Field(
        [], description="Yes/no questions asked in order by `incplan classify`; the first yes decides the severity."
    )
    translations: dict[Locale, DefinitionTranslation] = Field(
        {},
        description="`incident` and `not_incident` per locale; what is left out falls back to the default locale.",
    )


Impact = Literal["none", "minor", "major", "critical"]


class SeverityLevel(Translated):
    """A severity level: what it means, how often to update, who and where."""

    name: str = Field(description="Human name of the severity (like `Critical outage`).")
    description: str = Field("", description="What this severity means for customers.")
    examples: list[str] = Field([], description="Typical events of this severity.")
    impact: Impact = Field(
        "major", description="Impact on customers (as on Statuspage): none, minor, major or critical."
    )
    first_update_within: Duration | None = Field(
        None, description="How soon after opening the first message must go out (like `15m`)."
    )
    update_every: Cadence | None = Field(
        None, description="Update cadence: one duration, or a duration per stage (like `{investigating: 30m}`)."
    )
    roles: list[str] = Field([], description="Roles (keys of `roles`) called in at this severity.")
    channels: list[str] = Field([], description="Channels (keys of `channels`) that get messages at this severity.")
    translations: dict[Locale, SeverityTranslation] = Field(
        {},
        description="Name, description and examples per locale; what is left out falls back to the default locale.",
    )

    def cadence(self, stage: str) -> timedelta | None:
        if self.update_every is None:
            return None
        return self.update_every.get(stage, self.update_every.get("*"))


class Role(Translated):
    """A role in incident response."""

    name: str = Field(description="Human name of the role (like `Incident Commander`).")
    people: list[Handle] = Field(
        [], description="Who can take the role, as `@handle` keys of `people`; two or more cover holidays."
    )
    responsibilities: list[str] = Field([], description="What the person in this role does during an incident.")
    translations: dict[Locale, RoleTranslation] = Field(
        {},
        description="Name and responsibilities per locale; what is left out falls back to the default locale.",
    )


def _statuspage_id(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z0-9]{1,64}", value):
        raise PydanticCustomError("statuspage_id", "not a Statuspage id; it is letters and digits, like `kctbh9vrtdwd`")
    return value


StatuspageId = Annotated[str, AfterValidator(_statuspage_id)]


class StatuspageDelivery(Model):
    kind: Literal["statuspage"] = Field(description="Deliver through the Statuspage REST API.")
    api_key_env: EnvName = Field(
        description="Name of the environment variable holding the Statuspage API key (never the key)."
    )
    page_id: StatuspageId = Field(description="The Statuspage page id (letters and digits).")
    api_base: str = Field(
        "https://api.statuspage.io/v1", description="API address; change only for a proxy or a test server."
    )
    components: dict[str, str] = Field(
        {}, description="The plan's component ids mapped to Statuspage component ids."
    )  # plan component id -> Statuspage component id


class SlackDelivery(Model):
    kind: Literal["slack"] = Field(description="Deliver through a Slack incoming webhook.")
    webhook_url_env: EnvName = Field(
        description="Name of the environment variable holding the webhook URL (never the URL)."
    )


class TeamsDelivery(Model):
    kind: Literal["teams"] = Field(
        description="Deliver through a Microsoft Teams Workflows webhook (an Adaptive Card)."
    )
    webhook_url_env: EnvName = Field(
        description="Name of the environment variable holding the webhook URL (never the URL)."
    )


def _host_name(value: str) -> str:
    if not valid_host(value):
        raise PydanticCustomError("host", "not a host name; write it like `smtp.example.com` or an IP address")
    return value


HostName = Annotated[str, AfterValidator(_host_name)]


class EmailDelivery(Model):
    model_config = ConfigDict(populate_by_name=True)

    kind: Literal["email"] = Field(description="Deliver by email over SMTP.")
    host: HostName = Field(description="SMTP server host name.")
    port: Annotated[int, Field(strict=True, ge=1, le=65535, description="SMTP server port (a number, like 587).")] = 587
    from_: Annotated[
        Sender,
        Field(
            alias="from",
            description="One sender (`From`): `status@orbit.example` or `Orbit Status <status@orbit.example>`.",
        ),
    ]
    to: Annotated[list[EmailAddress], Field(min_length=1, description="Recipient addresses, one per item.")]
    security: Literal["starttls", "ssl", "none"] = Field(
        "starttls",
        description="`starttls` (default, verified TLS), `ssl` (TLS from the start) or `none` (loopback relays only).",
    )
    username_env: EnvName | None = Field(
        None, description="Name of the environment variable holding the SMTP user name."
    )
    password_env: EnvName | None = Field(
        None, description="Name of the environment variable holding the SMTP password (never the password)."
    )


class WebhookDelivery(Model):
    kind: Literal["webhook"] = Field(description="Deliver as a JSON POST signed the Standard Webhooks way.")
    url_env: EnvName = Field(description="Name of the environment variable holding the receiver's URL.")
    secret_env: EnvName = Field(
        description="Name of the environment variable holding the signing secret (`whsec_` + base64, or base64)."
    )


_E164 = re.compile(E164_PATTERN)


def _e164(value: object) -> str:
    if not isinstance(value, str) or not _E164.fullmatch(value):
        raise PydanticCustomError("e164", "not an E.164 phone number; write it like `+48600100200` (no spaces)")
    return value


E164 = Annotated[str, BeforeValidator(_e164), WithJsonSchema({"type": "string", "pattern": E164_PATTERN})]


class _SmsDelivery(Model):
    """Recipients are listed (`to`) or named by an environment variable (`to_env`, comma-separated
    E.164 numbers), never both: a customer list is personal data that may not belong in git."""

    model_config = ConfigDict(populate_by_name=True)

    to: list[E164] = Field([], description="Recipients as E.164 numbers (like `+48600100200`); or use `to_env`.")
    to_env: EnvName | None = Field(
        None, description="Name of the environment variable holding comma-separated E.164 recipients."
    )

    @model_validator(mode="after")
    def _one_recipient_source(self) -> _SmsDelivery:
        if bool(self.to) == bool(self.to_env):
            raise PydanticCustomError(
                "recipients", "give the recipients as `to` (E.164 numbers) or `to_env`, one of them"
            )
        return self


class TwilioDelivery(_SmsDelivery):
    kind: Literal["twilio"] = Field(description="Deliver SMS through Twilio's Messages API.")
    account_sid_env: EnvName = Field(description="Name of the environment variable holding the Twilio account SID.")
    auth_token_env: EnvName = Field(description="Name of the environment variable holding the Twilio auth token.")
    from_: Annotated[str, Field(alias="from", min_length=1, description="Sender number or messaging service.")]
    api_base: str = Field(
        "https://api.twilio.com", description="API address; change only for a proxy or a test server."
    )


class SmsapiDelivery(_SmsDelivery):
    kind: Literal["smsapi"] = Field(description="Deliver SMS through SMSAPI.pl.")
    token_env: EnvName = Field(description="Name of the environment variable holding the SMSAPI token.")
    from_: Annotated[
        str | None, Field(alias="from", description="A registered sender name; without one SMSAPI sends as `eco`.")
    ] = None  # a registered sender name; none sends "eco"
    api_base: str = Field("https://api.smsapi.pl", description="API address; change only for a proxy or a test server.")


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


class Channel(Translated):
    """A place messages go: its audience, owner, limits and delivery."""

    name: str = Field(description="Human name of the channel (like `Status page`).")
    type: ChannelType = Field(description="What kind of channel it is; decides length limits and formatting.")
    audience: str = Field(description="Who reads it (like `customers`, `internal`).")
    owner: str | None = Field(None, description="Role (a key of `roles`) that posts to this channel.")
    purpose: str = Field("", description="What the channel is for.")
    access: str | None = Field(
        None, description="How to get access at 3 a.m. (where the login lives); never the secret itself."
    )
    format: Literal["text", "markdown", "html"] = Field("text", description="Message markup: text, markdown or html.")
    max_length: Annotated[int, Field(strict=True, gt=0)] | None = Field(
        None, description="Longest message the channel takes, in characters (a number)."
    )
    delivery: Delivery | None = Field(
        None,
        description="How `incplan notify --send` delivers to this channel; without it, messages are posted by hand.",
    )
    locales: Annotated[list[Locale], Field(min_length=1)] | None = Field(
        None,
        description="Languages this channel posts in (default: the organization's first locale). With more than one, "
        "each message is rendered in each and the texts are joined into one post, the default locale first.",
    )
    locale_separator: str | None = Field(
        None,
        description="What joins the languages of one post; default a blank line, `---` and a blank line "
        "(`<hr>` on html channels).",
    )
    translations: dict[Locale, ChannelTranslation] = Field(
        {},
        description="Name, purpose and access per locale; what is left out falls back to the default locale.",
    )

    def posts_in(self, default_locale: str) -> list[str]:
        """The languages of this channel's posts, the plan's default locale first."""
        wanted = list(dict.fromkeys(self.locales or [default_locale]))
        return sorted(wanted, key=lambda locale: locale != default_locale)  # stable: the rest keep their order

    @property
    def separator(self) -> str:
        if self.locale_separator is not None:
            return self.locale_separator
        return "\n<hr>\n" if self.format == "html" else "\n\n---\n\n"

    @property
    def is_customer(self) -> bool:
        """Customers read it (audience `customers`, `enterprise customers`...): the one test."""
        return "customer" in self.audience.lower()


class Stage(Translated):
    """A stage of an incident."""

    name: str = Field(description="Human name of the stage (like `Investigating`).")
    description: str = Field("", description="When this stage applies.")
    final: StrictBool = Field(
        False, description="True for a stage that closes the incident (like `resolved`); true or false, not text."
    )
    translations: dict[Locale, StageTranslation] = Field(
        {},
        description="Name and description per locale; what is left out falls back to the default locale.",
    )


LocalizedText = str | dict[Locale, str]


def _in_locale(value: LocalizedText | None, locale: str, default_locale: str) -> str | None:
    """A text, or a mapping of locale to text read in `locale`, else the default locale's."""
    if value is None or isinstance(value, str):
        return value
    if locale in value:
        return value[locale]
    if default_locale in value:
        return value[default_locale]
    return next(iter(value.values()), None)


class Variable(Translated):
    """A value that templates read."""

    description: str = Field(description="What the value is; shown when it is missing.")
    example: LocalizedText | None = Field(
        None, description="An example value (or one per locale), used by `--example`, `preview` and `export`."
    )
    required: StrictBool = Field(True, description="Whether a message needs a value (true or false, not text).")
    default: LocalizedText | None = Field(None, description="Value used when none is given.")
    translations: dict[Locale, VariableTranslation] = Field(
        {},
        description="The description per locale; what is left out falls back to the default locale.",
    )

    def example_in(self, locale: str, default_locale: str) -> str | None:
        return _in_locale(self.example, locale, default_locale)

    def default_in(self, locale: str, default_locale: str) -> str | None:
        return _in_locale(self.default, locale, default_locale)


class Translation(Model):
    """A message in another language."""

    subject: str | None = Field(None, description="Subject in this language (email, status page title).")
    body: str = Field(description="Message template in this language (Jinja2).")


def _message(value: object) -> object:
    # A message may be written as its body alone.
    return {"body": value} if isinstance(value, str) else value


class MessageSpec(Model):
    """A message: subject and body templates, with translations."""

    subject: str | None = Field(None, description="Subject line (email, status page title); a template.")
    body: str = Field(
        description="Message body: a Jinja2 template with `org`, `incident`, `severity`, `stage`, variables."
    )
    translations: dict[
        Locale,
        Annotated[
            Translation,
            BeforeValidator(_message),
            WithJsonSchema({"anyOf": [{"type": "string"}, {"x-incplan": "Translation"}]}),
        ],
    ] = Field({}, description="The message in other languages, by locale: a body alone, or `{subject, body}`.")


Message = Annotated[
    MessageSpec,
    BeforeValidator(_message),
    # plan.schema splices the MessageSpec definition in place of this marker.
    WithJsonSchema({"anyOf": [{"type": "string"}, {"x-incplan": "MessageSpec"}]}),
]


class Component(Translated):
    """A part of the service as customers see it (as on a status page)."""

    name: str = Field(description="Human name of the component (like `API` or `Dashboard`).")
    description: str = Field("", description="What the component is, for customers.")
    group: str | None = Field(None, description="A group the component is shown under (like `Europe`).")
    translations: dict[Locale, ComponentTranslation] = Field(
        {},
        description="Name, description and group per locale; what is left out falls back to the default locale.",
    )


class Value(Translated):
    """A value behind the team's communication."""

    name: str = Field(description="The value, in a few words (like `Honesty first`).")
    description: str = Field("", description="What it means for incident communication.")
    in_practice: list[str] = Field([], description="What people do because of it.")
    translations: dict[Locale, ValueTranslation] = Field(
        {},
        description="Name, description, in_practice per locale; what is left out falls back to the default locale.",
    )


RuleLevel = Literal["off", "info", "warning", "error"]


class LintConfig(Model):
    """Lint settings for this plan."""

    ignore: list[str] = Field([], description="Rules (codes or names) never reported for this plan.")
    rules: dict[str, RuleLevel] = Field(
        {}, description="Each rule's level for this plan (a code or name: off, info, warning or error), as in yamllint."
    )


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

    stages: dict[str, Stage] = Field(
        default_factory=_default_maintenance_stages,
        min_length=1,
        description="Maintenance stages by id; default scheduled, in_progress, verifying, completed.",
    )
    channels: list[str] = Field(
        [], description="Channels that hear about maintenance; default: every customer channel."
    )  # who hears about maintenance; default: every customer channel
    first_update_within: Duration | None = Field(
        None, description="How soon after scheduling the first message must go out."
    )  # after scheduling
    update_every: Cadence | None = Field(
        None, description="Update cadence, one duration or one per stage (like `{in_progress: 1h}`)."
    )  # per stage, as for a severity (e.g. {in_progress: 1h})
    templates: dict[str, dict[str, Message]] = Field(
        {}, description="Maintenance message templates by stage, then by channel."
    )


class Plan(Model):
    """An incident communication plan (incplan, format version 1)."""

    version: Literal[1] = Field(description="Plan format version; always 1.")
    organization: Organization = Field(description="Who the plan is for: name, product, links, timezone, languages.")
    owner: Handle | None = Field(None, description="Who keeps the plan up to date (`@handle`).")
    reviewed: date | None = Field(None, description="Date of the last review with the team (YYYY-MM-DD).")
    review_every: Duration | None = Field(
        None, description="How often to review (like `90d`); `check` reports an overdue review."
    )
    incidents_dir: Folder | None = Field(
        None, description="Folder of incident records, inside the plan's folder; default `incidents`."
    )
    people: dict[str, Person] = Field({}, description="The roster, by handle; referenced elsewhere as `@handle`.")
    definition: Definition = Field(
        description="1. Defining an incident: what is one, what isn't, and the questions that classify it."
    )
    severities: Annotated[
        dict[str, SeverityLevel],
        Field(min_length=1, description="Severity levels by id (like `sev1`), with cadence, roles and channels."),
    ]
    roles: dict[str, Role] = Field({}, description="2. Roles and responsibilities, by id.")
    channels: dict[str, Channel] = Field({}, description="3. Communication channels, by id.")
    stages: Annotated[
        dict[str, Stage],
        Field(min_length=1, description="4. Incident stages, by id (like `investigating`, `resolved`)."),
    ]
    variables: dict[str, Variable] = Field(
        {}, description="Values templates need (like `affected_service`), with descriptions and examples."
    )
    components: dict[str, Component] = Field(
        {}, description="Parts of the product whose status incidents change (`--component ID=STATUS`), by id."
    )
    templates: dict[str, dict[str, Message]] = Field(
        {}, description="Message templates by stage, then by channel (or `default` for every channel)."
    )
    # `incplan incident remind --send`: the text posted to internal channels when a customer
    # update falls due (`next_update` is the due time); a built-in text when absent.
    reminder: Message | None = Field(
        None, description="Reminder posted to internal channels when a customer update falls due (a template)."
    )
    maintenance: MaintenanceSection | None = Field(
        None, description="Scheduled maintenance: its stages, channels, cadence and templates."
    )
    values: list[Value] = Field([], description="5. The values behind how the team communicates.")
    lint: LintConfig = Field(
        LintConfig(), description="How `incplan check` treats this plan: `ignore` and per-rule levels (`rules`)."
    )

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

    def for_record(self, record: object) -> Plan:
        """The plan itself for an incident, its maintenance view for a maintenance record."""
        return self.maintenance_view() if getattr(record, "kind", "incident") == MAINTENANCE else self

    @property
    def default_locale(self) -> str:
        return self.organization.locales[0]

    def in_locale(self, locale: str | None) -> Plan:
        """The plan as a reader of `locale` sees it: every name, description and question in that
        locale where the plan translates it, in the default locale where it does not."""
        if not locale or locale == self.default_locale:
            return self
        definition = self.definition.in_locale(locale)
        definition = definition.model_copy(update={"criteria": [c.in_locale(locale) for c in definition.criteria]})
        return self.model_copy(
            update={
                "definition": definition,
                "severities": {k: v.in_locale(locale) for k, v in self.severities.items()},
                "roles": {k: v.in_locale(locale) for k, v in self.roles.items()},
                "channels": {k: v.in_locale(locale) for k, v in self.channels.items()},
                "stages": {k: v.in_locale(locale) for k, v in self.stages.items()},
                "variables": {k: v.in_locale(locale) for k, v in self.variables.items()},
                "components": {k: v.in_locale(locale) for k, v in self.components.items()},
                "values": [v.in_locale(locale) for v in self.values],
            }
        )

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
