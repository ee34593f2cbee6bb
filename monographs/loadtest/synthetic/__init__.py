"""A deterministic, realistic synthetic corpus for load-testing a deployment.

Made-up drugs with full monographs and trials with arms, outcomes and adverse events, all
published through the real publishing service. See `python manage.py generate_corpus`.
"""

from monographs.loadtest.synthetic.generation import CorpusError, CorpusReport, corpus_generate

__all__ = ["CorpusError", "CorpusReport", "corpus_generate"]
