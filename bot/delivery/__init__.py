"""Delivery: the schedule, the outbox drain and pacing, behind a small transport interface."""
