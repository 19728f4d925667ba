"""The static status site (SPEC §10): model (what customers were told), render (pages, feeds,
Statuspage-shaped JSON), write (only inside the output folder)."""
