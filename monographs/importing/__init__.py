"""Evidence brought in from outside: citations from identifiers and reference files, trials
from their registry record. See apps.ImportingConfig for what this app owns."""
