"""Datasette metadata for `govreports serve`: descriptions, labels and canned queries
(metadata.yaml), read by crawler/analysis/serve.py."""
