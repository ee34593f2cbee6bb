"""Public search over what is live: drugs, trials, adverse-event terms and references.

The index (SearchDocument rows) is written from live publications only, when a root is
published or withdrawn, so nothing unreviewed can be found. PostgreSQL ranks with a stored,
weighted, GIN-indexed tsvector; SQLite, used in development, falls back to case-insensitive
token matching ranked by the same weights (title over names and synonyms over body text).
"""

from monographs.search.indexing import (
    Mentioned,
    search_index_entries_update,
    search_index_mentions_refresh,
    search_index_rebuild,
    search_index_update,
    search_index_update_many,
)
from monographs.search.querying import (
    MAX_QUERY_LENGTH,
    Kind,
    SearchPage,
    SearchResult,
    entry_search,
    entry_search_page,
    highlight,
    query_tokens,
    search_documents_of_kind,
    search_result_url,
)

__all__ = [
    "MAX_QUERY_LENGTH",
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
