"""The read-only REST API: published documents only, never the working copy."""
