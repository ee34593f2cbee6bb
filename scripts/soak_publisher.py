"""Publish new versions of one drug through the real workflow, in a loop, while readers load it.

Each version N carries the word soakmark<N>x in the drug's summary, its first section and
its answer, so a reader (wrk's Lua script, scripts/soak.py's checker) can tell from any page
whether it shows one whole version: every marker on it equal to the version it says it is.

    DJANGO_SETTINGS_MODULE=config.settings python scripts/soak_publisher.py SLUG STOP_FILE

Runs until STOP_FILE exists; prints one line per version and a final count.
"""

import os
import re
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import transaction  # noqa: E402

from monographs.editorial.roles import EDITOR, REVIEWER  # noqa: E402
from monographs.editorial.services.edits import root_record_edit  # noqa: E402
from monographs.editorial.services.publish import root_publish  # noqa: E402
from monographs.editorial.services.review import revision_approve, revision_submit  # noqa: E402
from monographs.models import Drug  # noqa: E402
from monographs.publishing.models import Entry  # noqa: E402
from tests.factories import UserFactory  # noqa: E402

MARKER = re.compile(r" ?soakmark\d+x")


def marked(text: str, version: int) -> str:
    return MARKER.sub("", text or "") + f" soakmark{version}x"


def user_in(group: str, username: str):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


def version_publish(*, drug: Drug, editor, reviewer) -> int:
    """Edit, submit, approve and publish one new version; returns its number."""
    entry = Entry.objects.get(kind="drug", root_id=drug.pk)
    version = entry.current.version + 1
    with transaction.atomic():
        drug.refresh_from_db()
        drug.summary = marked(drug.summary, version)
        drug.save()
        section = drug.sections.order_by("position", "pk").first()
        section.body = marked(section.body, version)
        section.save()
        for answer in drug.questions.all():
            answer.answer = marked(answer.answer, version)
            answer.save()
        root_record_edit(root=drug, user=editor)
    revision_submit(root=drug, user=editor)
    revision_approve(root=drug, user=reviewer)
    publication = root_publish(root=drug, user=reviewer, comment=f"Soak version {version}")
    assert publication.version == version, (publication.version, version)
    return version


def main(slug: str, stop_file: Path) -> None:
    suffix = str(os.getpid())
    editor = user_in(EDITOR, f"soak-editor-{suffix}")
    reviewer = user_in(REVIEWER, f"soak-reviewer-{suffix}")
    drug = Drug.objects.get(slug=slug)
    published = 0
    while not stop_file.exists():
        version = version_publish(drug=drug, editor=editor, reviewer=reviewer)
        published += 1
        print(f"published {slug} v{version}", flush=True)
        time.sleep(0.2)
    print(f"PUBLISHED {published}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
