"""Publishing: the frozen, versioned documents the public reads and what follows a publish.

working copy -> document -> (approval, in monographs.editorial) -> Publication here.
Public pages, the API, search and exports read publications only.
"""
