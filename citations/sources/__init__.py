"""Clients for the outside services that describe published works: Crossref and NCBI.

Each client validates an answer before returning it and raises a SourceError (with a
message for writers) instead of returning anything partial.
"""
