"""Datasets: immutable versions, import, formats, record schemas, quality report, cleaning, augmentation, splits."""
