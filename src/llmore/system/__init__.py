"""Process-level routes: health, readiness, Prometheus metrics, version, effective config, dashboard."""
