"""Delivery: post rendered messages to real channels (SPEC §8), one adapter module per kind."""
