"""Post-incident and period reports (SPEC §7)."""
