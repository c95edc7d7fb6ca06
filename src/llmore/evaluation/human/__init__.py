"""Human evaluation."""
