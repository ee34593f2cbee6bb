"""An editorial team's day in Chromium, from the seeded and published corpus.

The editor creates a citation, a drug and a trial with two arms (every click, field and save
counted), rewrites sorafenib's mechanism and submits it; the reviewer comments on that
section and sends it back; the editor fixes it; a citation sorafenib and a trial both cite
is corrected, and the change shows in the review of each; the reviewer approves for a time,
moves it, and the scheduler command publishes it. Each step's email is in the outbox, and
the public page changes only when it is published.
"""

import datetime
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from monographs.editorial.models import Status
from monographs.editorial.roles import EDITOR, REVIEWER
from monographs.models import Citation, Drug
from tests.browser.conftest import ARTIFACTS_DIR
from tests.browser.staff import click_transition, log_in, staff
from trials.models import Arm, Intervention, Outcome, Trial

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP, PHONE = 1366, 390
ADDED = "It also blocks VEGFR-2."
FIXED = "It also blocks VEGFR-1, VEGFR-2 and VEGFR-3 on endothelial cells."
COMMENT = "Name all three VEGF receptors."
SHARED_CITATION = "thyroid-phase-2-sorafenib-long-term"
CORRECTED_TITLE = "Long-term results of sorafenib in radioiodine-refractory thyroid cancer"


class Editor:
    """The editor's hands: every click, field filled or chosen, and save is counted."""

    def __init__(self, page) -> None:
        self.page = page
        self.clicks = self.fields = self.saves = 0

    def open(self, path: str) -> None:
        """Following a link (the dashboard's, a part's, a list's) is a click."""
        self.clicks += 1
        self.page.goto(path)

    def click(self, selector: str) -> None:
        self.clicks += 1
        self.page.click(selector)

    def fill(self, selector: str, value: str) -> None:
        self.fields += 1
        self.page.fill(selector, value)

    def choose(self, selector: str, value: str | None = None, *, label: str = "") -> None:
        """Choose by value, or by the option whose text starts with `label`."""
        self.fields += 1
        if label:
            option = self.page.locator(f"{selector} option:text-matches('^{re.escape(label)}')")
            value = option.first.get_attribute("value")
        self.page.select_option(selector, value)

    def pick(self, select_id: str, typed: str, label: str) -> None:
        """An autocomplete: open it, type, choose the match (one field, two clicks)."""
        self.fields += 1
        self.clicks += 2
        self.page.click(f"#{select_id} + .select2 .select2-selection")
        self.page.fill(".select2-container--open .select2-search__field", typed)
        self.page.click(f".select2-results__option:has-text('{label}')")

    def save(self, button: str = "_continue") -> None:
        self.clicks += 1
        self.saves += 1
        self.page.click(f"input[name={button}]")
        self.page.wait_for_load_state()
        errors = self.page.locator(".errornote, .errorlist").all_inner_texts()
        assert not errors, errors


def shoot(page, name: str) -> None:
    """The page at a laptop's and a phone's width, with the test run's artefacts."""
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    for width in (LAPTOP, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(ARTIFACTS_DIR / f"editors-day-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": LAPTOP, "height": 900})


def mail_since(count: int) -> list[tuple[str, list[str]]]:
    return sorted((m.subject, m.to) for m in mail.outbox[count:])


def public_text(page, path: str = "/drugs/sorafenib/") -> str:
    page.goto(path)
    return page.inner_text("main")


def create_a_citation_a_drug_and_a_trial(page) -> Editor:
    """The first scenario of issue [3/8] (a citation; a drug; a trial with two arms, their
    interventions and the primary outcome), done the way the admin now allows: the source is
    chosen once per entry, not on every row."""
    hands = Editor(page)
    hands.open("/admin/monographs/citation/add/")
    hands.fill("#id_key", "cabozantinib-hcc-2018")
    hands.fill("#id_authors", "Abou-Alfa GK\nMeyer T\net al.")
    hands.fill("#id_title", "Cabozantinib in patients with advanced and progressing HCC")
    hands.fill("#id_journal", "N Engl J Med")
    hands.fill("#id_year", "2018")
    hands.fill("#id_doi", "https://doi.org/10.1056/NEJMoa1717002")
    hands.save("_save")

    hands.open("/admin/monographs/drug/add/")
    hands.fill("#id_inn", "cabozantinib")  # the slug follows the name
    hands.fill("#id_drug_class", "Multikinase inhibitor")
    hands.fill("#id_summary", "An oral inhibitor of MET, VEGFR and AXL.")
    hands.pick("id_default_citation", "Cabozantinib", "Cabozantinib in patients")
    hands.save()

    hands.open("/admin/trials/trial/add/")
    hands.fill("#id_acronym", "CELESTIAL")
    hands.fill("#id_title", "Cabozantinib versus placebo in previously treated HCC")
    hands.fill("#id_nct_id", "NCT01908426")
    hands.choose("#id_phase", "3")
    hands.choose("#id_design", "randomised_controlled")
    hands.pick("id_default_citation", "Cabozantinib", "Cabozantinib in patients")
    hands.save()
    hands.click("nav.editorial-parts a:has-text('Arms')")
    page.wait_for_load_state()
    for index, (label, role, n) in enumerate(
        [("Cabozantinib 60 mg daily", "experimental", "470"), ("Placebo", "placebo", "237")]
    ):
        hands.click("#arms-group .add-row a")
        hands.fill(f"#id_arms-{index}-label", label)
        hands.choose(f"#id_arms-{index}-role", role)
        hands.fill(f"#id_arms-{index}-participants", n)
    hands.save()
    # Neither arm names a source: each shows the one it inherits from the trial.
    inherits = "inherits cabozantinib-hcc-2018 (default source)"
    assert page.locator("#arms-group").inner_text().count(inherits) == 2
    shoot(page, "trial-arms")

    # Each arm's intervention, on the arm's own page (its "Change" link on the row).
    arms = page.url
    for index, (typed, dose) in enumerate([("cabozantinib", "60 mg"), ("", "")]):
        hands.click(f"#arms-{index} a.inlinechangelink")
        page.wait_for_load_state()
        hands.click("#interventions-group .add-row a")
        if typed:
            hands.pick("id_interventions-0-drug", typed, "cabozantinib")
            hands.fill("#id_interventions-0-dose", dose)
        else:
            hands.fill("#id_interventions-0-name", "Placebo")
        hands.save()
        hands.open(arms)  # back to the trial's arms

    # The primary outcome: overall survival, with the hazard ratio against placebo.
    hands.click("nav.editorial-parts a:has-text('Outcomes')")
    page.wait_for_load_state()
    hands.click("#outcomes-group .add-row a")
    hands.choose("#id_outcomes-0-measure", "OS")
    hands.choose("#id_outcomes-0-arm", label="Cabozantinib 60 mg daily")
    hands.choose("#id_outcomes-0-comparator_arm", label="Placebo")
    for name, value in [
        ("statistic", "median"), ("value", "10.2"), ("unit", "months"),
        ("hazard_ratio", "0.76"), ("hazard_ratio_ci_low", "0.63"),
        ("hazard_ratio_ci_high", "0.92"),
    ]:  # fmt: skip
        hands.fill(f"#id_outcomes-0-{name}", value)
    hands.save()
    return hands


def test_an_editorial_teams_day(page):
    page.set_viewport_size({"width": LAPTOP, "height": 900})
    call_command("load_seeds", stdout=StringIO())
    eve, ray = staff("editor-eve", EDITOR), staff("reviewer-ray", REVIEWER)
    sorafenib = Drug.objects.get(slug="sorafenib")
    shared = Citation.objects.get(key=SHARED_CITATION)
    (trial,) = [t for t in Trial.objects.all() if shared in t.publications.all()] or [
        t for t in Trial.objects.filter(summary__contains=f"@{SHARED_CITATION}")
    ]
    name = str(sorafenib)
    live_before = public_text(page)
    mail.outbox.clear()

    # Morning: the editor creates a citation, a drug and a trial with two arms.
    log_in(page, "editor-eve")
    hands = create_a_citation_a_drug_and_a_trial(page)
    created = Trial.objects.get(acronym="CELESTIAL")
    assert [a.label for a in Arm.objects.filter(trial=created).order_by("position", "pk")] == [
        "Cabozantinib 60 mg daily",
        "Placebo",
    ]
    cabozantinib = Drug.objects.get(slug="cabozantinib")
    assert [(i.drug, i.name) for i in Intervention.objects.filter(arm__trial=created)] == [
        (cabozantinib, ""),
        (None, "Placebo"),
    ]
    outcome = Outcome.objects.get(trial=created)
    assert (outcome.arm.label, outcome.comparator_arm.label) == (
        "Cabozantinib 60 mg daily",
        "Placebo",
    )
    assert str(outcome.hazard_ratio_ci_high.normalize()) == "0.92"
    assert cabozantinib.default_citation.doi == "10.1056/NEJMoa1717002"
    assert created.default_citation == cabozantinib.default_citation
    shoot(page, "trial-outcome")
    print(
        f"\nCreate one drug, one trial with two arms and one citation: {hands.clicks} clicks, "
        f"{hands.fields} fields, {hands.saves} saves"
    )
    assert (hands.clicks, hands.fields, hands.saves) == (27, 34, 7)

    # The editor rewrites sorafenib's mechanism and submits it with a note.
    mechanism = f"/admin/monographs/drug/{sorafenib.pk}/change/mechanism/"
    page.goto(mechanism)
    body = page.locator("textarea[name$='-body']").first
    body.fill(f"{body.input_value()} {ADDED}")
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    shoot(page, "mechanism-with-preview")
    page.fill("#id_submit_comment", "Mechanism: VEGFR-2 added.")
    click_transition(page, "submit")
    assert "In review" in page.locator(".editorial-panel").inner_text()
    assert mail_since(0) == [(f"Review requested: '{name}'", [ray.email])]
    assert public_text(page) == live_before

    # The reviewer comments on the section (the editor is told) and asks for changes.
    log_in(page, "reviewer-ray")
    page.goto("/admin/")
    page.click(f"[data-list='awaiting-my-review'] a:has-text('{sorafenib.inn}')")
    page.wait_for_load_state()
    page.goto(f"/admin/monographs/drug/{sorafenib.pk}/review/")
    assert "Mechanism: VEGFR-2 added." in page.locator(".editorial-panel").inner_text()
    assert ADDED in page.inner_text("main")
    sent = len(mail.outbox)
    page.select_option("#id_comment_part", "mechanism")
    page.fill("#id_comment_body", COMMENT)
    page.click(".editorial-comment-form button[type=submit]")
    page.wait_for_load_state()
    assert mail_since(sent) == [(f"Comment on '{name}'", [eve.email])]
    assert COMMENT in mail.outbox[-1].body
    page.fill("#id_request_changes_comment", "See my comment on the mechanism.")
    sent = len(mail.outbox)
    click_transition(page, "request_changes")
    shoot(page, "review-sent-back")
    assert mail_since(sent) == [(f"Changes requested: '{name}'", [eve.email])]

    # The editor fixes the text where the comment is, answers it, resolves it, resubmits.
    log_in(page, "editor-eve")
    page.goto(mechanism)
    assert COMMENT in page.locator(".editorial-comments").inner_text()
    body = page.locator("textarea[name$='-body']").first
    body.fill(body.input_value().replace(ADDED, FIXED))
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    sent = len(mail.outbox)
    page.fill("#id_comment_body", "All three named now.")
    page.click(".editorial-comment-form button[type=submit]")
    page.wait_for_load_state()
    assert mail_since(sent) == [(f"Comment on '{name}'", [ray.email])]
    page.click(".editorial-comment__resolve button")
    page.wait_for_load_state()
    sent = len(mail.outbox)
    click_transition(page, "submit")
    assert mail_since(sent) == [(f"Review requested: '{name}'", [ray.email])]

    # A citation sorafenib and a trial both cite is corrected: its page says where first.
    page.goto(f"/admin/monographs/citation/{shared.pk}/change/")
    users = page.locator("#shared-record-users")
    assert users.locator(f"a[href='/admin/monographs/drug/{sorafenib.pk}/change/']").count() == 1
    assert users.locator(f"a[href='/admin/trials/trial/{trial.pk}/change/']").count() == 1
    shoot(page, "citation-where-it-takes-effect")
    page.fill("#id_title", CORRECTED_TITLE)
    page.click("input[name=_save]")
    page.wait_for_load_state()
    assert Trial.objects.get(pk=trial.pk).status == Status.DRAFT  # a new draft beside v1
    assert Drug.objects.get(pk=sorafenib.pk).status == Status.IN_REVIEW

    # The reviewer sees the correction in the review of each citing entry.
    log_in(page, "reviewer-ray")
    for review in (
        f"/admin/trials/trial/{trial.pk}/review/",
        f"/admin/monographs/drug/{sorafenib.pk}/review/",
    ):
        page.goto(review)
        assert CORRECTED_TITLE in page.inner_text("main"), review
    shoot(page, "review-with-citation-change")
    # On a phone the review page fits the screen: wide tables scroll inside their boxes.
    page.set_viewport_size({"width": PHONE, "height": 900})
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    page.set_viewport_size({"width": LAPTOP, "height": 900})

    # The reviewer approves for tomorrow, then moves it a day on: no new approval round.
    first = (timezone.now() + datetime.timedelta(days=1)).replace(second=0, microsecond=0)
    moved = first + datetime.timedelta(days=1)
    page.fill("#id_approve_publish_at", f"{first:%Y-%m-%dT%H:%M}")
    sent = len(mail.outbox)
    click_transition(page, "approve")
    assert mail_since(sent) == [(f"Approved: '{name}'", [eve.email])]
    page.fill("#id_schedule_publish_at", f"{moved:%Y-%m-%dT%H:%M}")
    sent = len(mail.outbox)
    click_transition(page, "schedule")
    assert f"{moved:%Y-%m-%d %H:%M} UTC" in page.locator(".editorial-panel").inner_text()
    assert mail_since(sent) == [(f"Publish time changed: '{name}'", [eve.email])]
    page.goto("/admin/")
    assert sorafenib.inn in page.locator("[data-list='scheduled-publications']").inner_text()
    shoot(page, "dashboard-scheduled")
    assert public_text(page) == live_before

    # Its time comes: the scheduler command publishes what was approved, and tells both.
    sent = len(mail.outbox)
    out = StringIO()
    call_command("publish_scheduled", stdout=out)
    assert "Nothing is due." in out.getvalue()
    assert public_text(page) == live_before
    with pytest.MonkeyPatch.context() as clock:
        clock.setattr(timezone, "now", lambda: moved + datetime.timedelta(minutes=1))
        call_command("publish_scheduled", stdout=out)
    assert re.search(r"Published drug 'sorafenib' as v2", out.getvalue())
    assert mail_since(sent) == [
        (f"Published: '{name}'", [eve.email]),
        (f"Published: '{name}'", [ray.email]),
    ]
    published = public_text(page)
    assert FIXED in published and ADDED not in published and published != live_before
    shoot(page, "public-page-published")
    assert Drug.objects.get(pk=sorafenib.pk).status == Status.PUBLISHED
