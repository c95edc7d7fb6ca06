"""Artifact store over fsspec with content-addressed blobs."""
