"""A small, valid seed file for tests that need a seed file of their own."""

from pathlib import Path

TINY_SEED = """\
source:
  citation:
    key: tiny-source
    title: A small test source
    doi: 10.1234/tiny.1
drugs:
  - slug: testamib
    inn: testamib
    summary: A drug that exists only in tests.
adverse_event_terms:
  - slug: test-nausea
    name: Test nausea
    system_organ_class: Gastrointestinal disorders
trials:
  - slug: tiny-trial
    title: A small test trial
    phase: "2"
    design: single_arm
    enrolment: 20
    drugs: [testamib]
    publications:
      - {citation: tiny-source, role: primary}
    arms:
      - label: Testamib
        participants: 20
        interventions:
          - {drug: testamib, dose: 10 mg, frequency: once daily}
    outcomes:
      - key: pfs
        measure: PFS
        arm: Testamib
        statistic: median
        value: 18
        unit: months
        ci_level: 95
        ci_low: 7
        ci_high: 29
        source_locator: Table 2
    adverse_events:
      - key: nausea
        arm: Testamib
        term: test-nausea
        count: 2
        denominator: 20
        percent: 10
"""


def tiny_seed_write(
    directory: Path, *, name: str = "tiny.yaml", replace: dict | None = None
) -> Path:
    """Write the tiny seed, with each `old: new` text replacement applied (each must match)."""
    text = TINY_SEED
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new, 1)
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path
