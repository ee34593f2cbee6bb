"""Public search over what is live: drugs, trials, adverse-event terms and references.

The index (SearchDocument rows) is written from live publications only, when a root is
published or withdrawn, so nothing unreviewed can be found. PostgreSQL ranks with a stored,
weighted, GIN-indexed tsvector; SQLite, used in development, falls back to case-insensitive
token matching ranked by the same weights (title over names and synonyms over body text).
"""

from importlib import import_module

# The app's package is imported before models are ready (INSTALLED_APPS), so its names are
# loaded from their modules on first use.
_HOMES = {
    **dict.fromkeys(
        (
            "Mentioned",
            "search_index_entries_update",
            "search_index_mentions_refresh",
            "search_index_rebuild",
            "search_index_update",
            "search_index_update_many",
        ),
        "monographs.search.indexing",
    ),
    **dict.fromkeys(
        ("entry_search", "entry_search_page", "query_tokens", "search_documents_of_kind"),
        "monographs.search.querying",
    ),
    **dict.fromkeys(
        (
            "MAX_QUERY_LENGTH",
            "MAX_SEARCH_RESULTS",
            "Kind",
            "SearchPage",
            "SearchResult",
            "highlight",
            "search_result_url",
        ),
        "monographs.search.results",
    ),
}


def __getattr__(name: str):
    if name in _HOMES:
        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "MAX_QUERY_LENGTH",
    "MAX_SEARCH_RESULTS",
    "Mentioned",
    "Kind",
    "SearchResult",
    "entry_search",
    "entry_search_page",
    "SearchPage",
    "highlight",
    "query_tokens",
    "search_documents_of_kind",
    "search_index_entries_update",
    "search_index_mentions_refresh",
    "search_index_rebuild",
    "search_index_update",
    "search_index_update_many",
    "search_result_url",
]
