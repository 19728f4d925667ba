"""Statuspage REST API v1: the first delivery creates the incident, later stages update it.

A create retried after a network error or a 5xx may have landed: before sending it again we
look among the page's unresolved incidents for ours, by the incplan id we sent in its metadata
and by nothing else (a name is not proof: adopting another incident of the same name would
later update and resolve someone else's public incident), so that a retry never creates a
second incident.

Statuspage allows 1 request per second per API key and answers 420 as well as 429 when the
limit is hit: both are retried, and our own requests are paced to one a second per key.

Ids are checked, never trusted: the incident id kept in the record and every id a server
answers must be a Statuspage id (letters and digits, `base.VENDOR_ID`), and are path-quoted
all the same. An update keeps the incident it updates: an answer naming another id is a
failure, never adopted. A create is ours only if the answer carries the incplan id we sent in
its metadata; any other answer is refused, and the record keeps no id for it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, NotRequired, TypedDict

from incplan.delivery import http
from incplan.delivery.base import (
    DeliveryFailed,
    Job,
    PreparedRequest,
    Receipt,
    Secrets,
    Transport,
    require_tls,
    shown_id,
    vendor_id,
)
from incplan.plan.models import StatuspageDelivery

if TYPE_CHECKING:
    import httpx

ALSO_RETRY = frozenset({420})  # Statuspage's own "rate limit exceeded", besides 408, 429 and 5xx
UNCHECKED = "the create may have landed and the check for it failed; not created again, to avoid a duplicate"
PACE = 1.0  # seconds between two requests with one key


class Metadata(TypedDict):
    incident_id: str


class IncidentFields(TypedDict):
    """The `incident` object of a create or an update (Statuspage REST API v1)."""

    name: str
    status: str
    body: str
    component_ids: NotRequired[list[str]]
    components: NotRequired[dict[str, str]]
    impact_override: NotRequired[str]
    metadata: NotRequired[dict[str, Metadata]]
    scheduled_for: NotRequired[str]
    scheduled_until: NotRequired[str | None]
    scheduled_remind_prior: NotRequired[bool]
    scheduled_auto_in_progress: NotRequired[bool]
    scheduled_auto_completed: NotRequired[bool]


STATUSES = ("investigating", "identified", "monitoring", "resolved")
COMPONENT_STATUS = {
    "critical": "major_outage",
    "major": "partial_outage",
    "minor": "degraded_performance",
    "none": "operational",
}


MAINTENANCE_STATUSES = ("scheduled", "in_progress", "verifying", "completed")


def _status(job: Job) -> str:
    if job.scheduled_for is not None:  # a scheduled maintenance has Statuspage's own statuses
        if job.stage_final:
            return "completed"
        return job.stage if job.stage in MAINTENANCE_STATUSES else "in_progress"
    if job.stage_final:
        return "resolved"
    return job.stage if job.stage in STATUSES else "investigating"


def _components(job: Job, mapping: dict[str, str], by_impact: str, resolved: bool) -> dict[str, str]:
    """Statuspage component id -> status: the record's components where it names them (mapped
    by `delivery.components`), else every mapped component at the severity's impact."""
    if job.components:
        chosen = {mapping[c]: s for c, s in job.components.items() if c in mapping}
    else:
        chosen = {sp: by_impact for sp in mapping.values()}
    return {sp: "operational" for sp in chosen} if resolved else chosen


def prepare(job: Job, secrets: Secrets) -> list[PreparedRequest]:
    settings = job.settings_as(StatuspageDelivery)
    key = secrets.get(settings.api_key_env)
    base = require_tls(settings.api_base, "`api_base`").rstrip("/")
    status = _status(job)
    finished = status in ("resolved", "completed")
    component_status = "operational" if finished else COMPONENT_STATUS.get(job.impact or "major")
    if job.scheduled_for is not None:
        component_status = "operational" if status in ("scheduled", "completed") else "under_maintenance"
    # The public name is the incident's title, and follows `--title` (SPEC §8).
    incident: IncidentFields = {"name": job.incident_title, "status": status, "body": job.body}
    components = _components(job, settings.components, component_status or "major_outage", finished)
    if components:
        incident["component_ids"] = list(components)
        incident["components"] = components
    headers = {"Authorization": f"OAuth {key}", "Content-Type": "application/json"}
    page = _path_id(settings.page_id, "the plan's `page_id`")
    if job.previous_ref:
        ref = _path_id(job.previous_ref, "the status page incident id in the record")
        url = f"{base}/pages/{page}/incidents/{ref}"
        return [PreparedRequest("PATCH", url, headers, json.dumps({"incident": incident}), ("Authorization",))]
    incident["impact_override"] = "maintenance" if job.scheduled_for is not None else job.impact or "major"
    incident["metadata"] = {"incplan": {"incident_id": job.incident_id}}
    if job.scheduled_for is not None:
        # incplan moves the maintenance through its stages itself (`maintenance update`).
        incident["scheduled_for"] = job.scheduled_for.isoformat()
        incident["scheduled_until"] = job.scheduled_until.isoformat() if job.scheduled_until else None
        incident["scheduled_remind_prior"] = False
        incident["scheduled_auto_in_progress"] = False
        incident["scheduled_auto_completed"] = False
    url = f"{base}/pages/{page}/incidents"
    return [PreparedRequest("POST", url, headers, json.dumps({"incident": incident}), ("Authorization",))]


def deliver(job: Job, secrets: Secrets, transport: Transport) -> Receipt:
    request = prepare(job, secrets)[0]
    creating = request.method == "POST"
    key = request.headers["Authorization"]

    def pace() -> None:
        transport.timing.pace(key, PACE)

    def find_landed(_attempt: int) -> httpx.Response | None:
        """Our incident, if the create that failed did land."""
        import httpx

        pace()
        url = request.url + ("/upcoming" if job.scheduled_for is not None else "/unresolved")
        # A lookup that fails must not lead to a second create (a duplicate public incident): a
        # network error or a retryable status makes this attempt fail, and the next one looks again.
        try:
            listed = http.exchange(transport, "GET", url, request.headers)
        except DeliveryFailed:
            raise DeliveryFailed(UNCHECKED) from None
        if transport.policy.retries_status(listed.status_code, ALSO_RETRY):
            raise http.retry_for(listed, transport)
        if listed.status_code != 200:
            raise DeliveryFailed(f"{UNCHECKED} (HTTP {listed.status_code})")
        try:
            incidents: object = listed.json()
        except ValueError:
            raise DeliveryFailed(UNCHECKED) from None
        for incident in incidents if isinstance(incidents, list) else []:
            if isinstance(incident, dict) and _ours(incident, job.incident_id):
                return httpx.Response(200, json=incident)
        return None

    response = http.send(
        transport, request, secrets, before_retry=find_landed if creating else None, also_retry=ALSO_RETRY, pace=pace
    )
    answer = http.json_object(response) or {}
    answered = answer.get("id")
    if answered is None:
        raise DeliveryFailed("Statuspage answered without an incident id")
    what = "scheduled maintenance" if job.scheduled_for is not None else "incident"
    if not creating:
        # the incident updated is the one in the record, whatever the answer says
        if answered != job.previous_ref:
            raise DeliveryFailed(
                f"Statuspage answered the update of {what} {job.previous_ref} with another id, "
                f"{shown_id(answered)}; not adopted (the record keeps {job.previous_ref})"
            )
        return Receipt(job.previous_ref, f"updated status page {what} {job.previous_ref}")
    incident_id = vendor_id(answered)
    if incident_id is None:
        raise DeliveryFailed(
            f"Statuspage answered the create with {shown_id(answered)}, which is not a Statuspage id; "
            f"not kept: {REFUSED_CREATE}"
        )
    if not _ours(answer, job.incident_id):
        raise DeliveryFailed(
            f"Statuspage answered the create with {what} {incident_id}, whose metadata does not carry this "
            f"incident's id; not kept: {REFUSED_CREATE}"
        )
    return Receipt(incident_id, f"created status page {what} {incident_id}")


REFUSED_CREATE = "the record has no status page incident, so the next --send creates one; check the page first"


def _path_id(value: str, what: str) -> str:
    """`value` as a path segment: a Statuspage id (letters and digits), quoted all the same."""
    from urllib.parse import quote

    if vendor_id(value) is None:
        raise DeliveryFailed(f"{what}, {shown_id(value)}, is not a Statuspage id (letters and digits); nothing sent")
    return quote(value, safe="")


def _ours(incident: dict[str, object], incident_id: str) -> bool:
    """Whether a listed incident is the one incplan created for `incident_id` (by the metadata
    we sent; never by name)."""
    metadata = incident.get("metadata")
    ours = metadata.get("incplan") if isinstance(metadata, dict) else None
    return (
        isinstance(ours, dict) and ours.get("incident_id") == incident_id and vendor_id(incident.get("id")) is not None
    )
