from django.apps import AppConfig


class LoadTestConfig(AppConfig):
    """The synthetic corpus and the benchmark's own endpoints: never installed in production.

    `generate_corpus` writes a deterministic, realistic corpus of made-up drugs and trials
    through the real publishing services; the floor view and the naive baseline are what
    `make bench` measures the real pages and API against. The baseline serialises the working
    copy, drafts included, which is why only config.settings_bench (and config.settings_test,
    for the suite) install this app and only the benchmark settings route its URLs.
    """

    name = "monographs.loadtest"
    label = "loadtest"
    verbose_name = "Load testing"
