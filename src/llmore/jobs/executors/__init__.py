"""Executors run jobs somewhere: a local child process today, Ray or Kubernetes later."""
