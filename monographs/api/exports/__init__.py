"""Bulk exports of the published corpus, produced row by row so they stream."""
