"""Metric series, system probes and diagnosis; also the HTTP server's Prometheus metrics."""
