"""The replay server and an unreachable address for every importer test."""

from tests.importing.replay import replay, unreachable  # noqa: F401 (fixtures)
