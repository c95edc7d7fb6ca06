"""Model serving: engines, the OpenAI protocol, the worker app and the control plane's worker table."""
