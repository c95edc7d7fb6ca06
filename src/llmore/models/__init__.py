"""Model registry: models, versions, lineage, lifecycle, import, merge, quantize."""
