"""Standing monitors: saved queries evaluated on new data only, raising deduplicated, rate-limited,
audited alerts (a finding, plus email or a webhook). See ``docs/monitors.md``."""
