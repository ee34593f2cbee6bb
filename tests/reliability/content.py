"""Roots in every editorial state, written with marker text that shows where it ends up.

Each root's prose (summary, section, answer) carries one marker word; a later draft replaces
it with another. Searching every public response for a marker then tells exactly which
revision a reader was shown.
"""

from monographs.editorial.services.edits import root_record_edit
from monographs.editorial.services.publish import root_publish
from monographs.editorial.services.review import (
    revision_approve,
    revision_request_changes,
    revision_submit,
)
from monographs.editorial.services.withdrawal import root_withdraw
from monographs.models import Drug, MonographSection, QuestionAnswer
from tests.factories import (
    AdverseEventTermFactory,
    ArmFactory,
    CitationFactory,
    DrugAdverseEventFactory,
    DrugFactory,
    MonographSectionFactory,
    OutcomeFactory,
    QuestionAnswerFactory,
    TrialFactory,
    TrialPublicationFactory,
)
from trials.models import Trial

NEVER_PUBLISHED = ("draft", "in_review", "changes_requested", "approved")
PUBLISHED_WITH_PENDING = ("published_with_draft", "published_in_review", "published_approved")
STATES = (*NEVER_PUBLISHED, "published", *PUBLISHED_WITH_PENDING, "withdrawn")


def drug_written(*, slug: str, text: str) -> Drug:
    """A drug an editor has just created, clean of blocking quality findings."""
    citation = CitationFactory(key=f"{slug}-source")
    drug = DrugFactory(inn=slug, slug=slug, summary=f"Summary {text}.")
    MonographSectionFactory(
        drug=drug, kind="mechanism", position=1, body=f"Mechanism {text} [@{citation.key}]."
    )
    QuestionAnswerFactory(drug=drug, answer=f"Answer {text}.", citation=citation)
    DrugAdverseEventFactory(
        drug=drug, term=AdverseEventTermFactory(), citation=citation, management=f"Manage {text}."
    )
    return drug


def trial_written(*, slug: str, text: str) -> Trial:
    citation = CitationFactory(key=f"{slug}-source")
    trial = TrialFactory(slug=slug, acronym=slug.upper(), summary=f"Summary {text}.")
    TrialPublicationFactory(trial=trial, citation=citation)
    arm = ArmFactory(trial=trial, label=f"Arm {slug}", participants=100, citation=citation)
    OutcomeFactory(trial=trial, arm=arm, citation=citation, label=f"Outcome {text}")
    return trial


def root_rewrite(root: Drug | Trial, *, text: str, citation_key: str = "") -> None:
    """Replace the marker in every prose field of the working copy (not yet recorded)."""
    root.summary = f"Summary {text}."
    root.save()
    if isinstance(root, Drug):
        MonographSection.objects.filter(drug=root).update(
            body=f"Mechanism {text} [@{citation_key or root.slug + '-source'}]."
        )
        QuestionAnswer.objects.filter(drug=root).update(answer=f"Answer {text}.")
    else:
        root.outcomes.update(label=f"Outcome {text}")


def root_in_state(root, *, state: str, editor, reviewer, draft_text: str) -> None:
    """Walk a freshly written root through the real services into `state`.

    States after 'published' rewrite the prose with draft_text and leave that revision
    pending; 'withdrawn' takes the published entry down.
    """
    root_record_edit(root=root, user=editor, created=True)
    if state == "draft":
        return
    revision_submit(root=root, user=editor)
    if state == "in_review":
        return
    if state == "changes_requested":
        revision_request_changes(root=root, user=reviewer, comment="Please check the figures.")
        return
    revision_approve(root=root, user=reviewer)
    if state == "approved":
        return
    root_publish(root=root, user=reviewer)
    if state == "published":
        return
    if state == "withdrawn":
        root_withdraw(root=root, user=reviewer, reason="Withdrawn while the figures are checked.")
        return
    root_rewrite(root, text=draft_text)
    root_record_edit(root=root, user=editor)
    if state == "published_with_draft":
        return
    revision_submit(root=root, user=editor)
    if state == "published_in_review":
        return
    revision_approve(root=root, user=reviewer)
    assert state == "published_approved", state
