"""Reviewing plan changes (`incplan diff`) and telling people their roles (`incplan roster`)."""
