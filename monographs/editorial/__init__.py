"""The editorial engine shared by every root kind (drug monographs, trials).

working copy -> document (a plain dict) -> Publication (immutable, versioned).
Public pages, the API, search and exports read publications only.
"""
