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
from typing import Any

from incplan.delivery import http
from incplan.delivery.base import DeliveryFailed, Job, Outcome, PreparedRequest, Secrets, require_tls
from incplan.delivery.http import send

DEFAULT_API_BASE = "https://api.statuspage.io/v1"
RETRY_STATUS = frozenset({408, 420, 429})
UNCHECKED = "the create may have landed and the check for it failed; not created again, to avoid a duplicate"
PACE = 1.0  # seconds between two requests with one key
_last_request: dict[str, float] = {}  # per API key, within this process


def pace(key: str) -> None:
    """Wait until a second has passed since the last request made with `key`."""
    last = _last_request.get(key)
    if last is not None:
        left = last + PACE - http.TIMING.clock()
        if left > 0:
            http.TIMING.wait(left)
    _last_request[key] = http.TIMING.clock()


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
    settings = job.settings
    key = secrets.get(settings.api_key_env)
    base = require_tls(settings.api_base, "`api_base`").rstrip("/")
    status = _status(job)
    finished = status in ("resolved", "completed")
    component_status = "operational" if finished else COMPONENT_STATUS.get(job.impact or "major")
    if job.scheduled_for is not None:
        component_status = "operational" if status in ("scheduled", "completed") else "under_maintenance"
    # The public name is the incident's title, and follows `--title` (SPEC §8).
    incident: dict[str, Any] = {"name": job.incident_title, "status": status, "body": job.body}
    components = _components(job, settings.components, component_status or "major_outage", finished)
    if components:
        incident["component_ids"] = list(components)
        incident["components"] = components
    headers = {"Authorization": f"OAuth {key}", "Content-Type": "application/json"}
    if job.previous_ref:
        url = f"{base}/pages/{settings.page_id}/incidents/{job.previous_ref}"
        return [PreparedRequest("PATCH", url, headers, json.dumps({"incident": incident}), ("Authorization",))]
    incident = {
        **incident,
        "impact_override": "maintenance" if job.scheduled_for is not None else job.impact or "major",
        "metadata": {"incplan": {"incident_id": job.incident_id}},
    }
    if job.scheduled_for is not None:
        # incplan moves the maintenance through its stages itself (`maintenance update`).
        incident.update(
            scheduled_for=job.scheduled_for.isoformat(),
            scheduled_until=job.scheduled_until.isoformat() if job.scheduled_until else None,
            scheduled_remind_prior=False,
            scheduled_auto_in_progress=False,
            scheduled_auto_completed=False,
        )
    url = f"{base}/pages/{settings.page_id}/incidents"
    return [PreparedRequest("POST", url, headers, json.dumps({"incident": incident}), ("Authorization",))]


def deliver(job: Job, secrets: Secrets, client: Any) -> Outcome:
    request = prepare(job, secrets)[0]
    creating = request.method == "POST"
    key = request.headers["Authorization"]

    def find_landed(_attempt: int) -> Any:
        import httpx

        pace(key)
        url = request.url + ("/upcoming" if job.scheduled_for is not None else "/unresolved")
        # A lookup that fails must not lead to a second create (a duplicate public incident): a
        # network error or a retryable status makes this attempt fail, and the next one looks again.
        try:
            listed = http.request_within_deadline(client, "GET", url, headers=request.headers)
        except http.DeadlineExceeded:
            raise DeliveryFailed(UNCHECKED) from None
        if listed.status_code in RETRY_STATUS or listed.status_code >= 500:
            raise http.RetryableStatus(listed)
        if listed.status_code != 200:
            raise DeliveryFailed(f"{UNCHECKED} (HTTP {listed.status_code})")
        try:
            incidents = listed.json()
        except ValueError:
            raise DeliveryFailed(UNCHECKED) from None
        for incident in incidents if isinstance(incidents, list) else []:
            metadata = incident.get("metadata") if isinstance(incident, dict) else None
            ours = metadata.get("incplan") if isinstance(metadata, dict) else None
            if isinstance(ours, dict) and ours.get("incident_id") == job.incident_id and incident.get("id"):
                return httpx.Response(200, json=incident)
        return None

    response = send(
        client,
        request,
        secrets,
        before_retry=find_landed if creating else None,
        retry_status=RETRY_STATUS,
        pace=lambda: pace(key),
    )
    try:
        incident_id = str(response.json()["id"])
    except (ValueError, KeyError, TypeError):
        raise DeliveryFailed("Statuspage answered without an incident id") from None
    verb = "created" if creating else "updated"
    what = "scheduled maintenance" if job.scheduled_for is not None else "incident"
    return Outcome(job.channel, True, ref=incident_id, detail=f"{verb} status page {what} {incident_id}")
