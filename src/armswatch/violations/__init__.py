"""Violations mapper: findings read against the UN Security Council provisions on the DPRK, element by element."""
