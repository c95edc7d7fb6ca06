"""Evaluation: text metrics, ratings, task evaluation runs and the deploy gate."""
