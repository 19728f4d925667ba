"""Statuspage REST API v1: the first delivery creates the incident, later stages update it.

A create retried after a network error or a 5xx may have landed: before sending it again we
look among the page's unresolved incidents for ours, by the incplan id we sent in its metadata
and by nothing else (a name is not proof: adopting another incident of the same name would
later update and resolve someone else's public incident), so that a retry never creates a
second incident.

Statuspage allows 1 request per second per API key and answers 420 as well as 429 when the
limit is hit: both are retried, and our own requests are paced to one a second per key.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, NotRequired, TypedDict

from incplan.delivery import http
from incplan.delivery.base import DeliveryFailed, Job, PreparedRequest, Receipt, Secrets, Transport, require_tls
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
    if job.previous_ref:
        url = f"{base}/pages/{settings.page_id}/incidents/{job.previous_ref}"
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
    url = f"{base}/pages/{settings.page_id}/incidents"
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
    incident_id = (http.json_object(response) or {}).get("id")
    if incident_id is None:
        raise DeliveryFailed("Statuspage answered without an incident id")
    verb = "created" if creating else "updated"
    what = "scheduled maintenance" if job.scheduled_for is not None else "incident"
    return Receipt(str(incident_id), f"{verb} status page {what} {incident_id}")


def _ours(incident: dict[object, object], incident_id: str) -> bool:
    """Whether a listed incident is the one incplan created for `incident_id` (by the metadata
    we sent; never by name)."""
    metadata = incident.get("metadata")
    ours = metadata.get("incplan") if isinstance(metadata, dict) else None
    return isinstance(ours, dict) and ours.get("incident_id") == incident_id and bool(incident.get("id"))
