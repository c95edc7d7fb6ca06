"""Deploy gates."""
