"""Files uploaded through the OpenAI-compatible ``/v1/files`` API (training data for fine-tuning)."""
