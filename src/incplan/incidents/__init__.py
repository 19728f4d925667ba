"""Incident records: one YAML file per incident, an append-only event log (SPEC §6)."""
