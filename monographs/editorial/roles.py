"""The two editorial roles, as Django groups with model permissions.

Editors write the working copy and submit it; reviewers read it, request changes,
approve, publish and withdraw. Superusers may do both, but the four-eyes rule still
stops anyone from approving or publishing a revision they edited.
"""

EDITOR = "Editor"
REVIEWER = "Reviewer"

CONTENT_APPS = ("monographs", "trials", "editorial", "publishing")
ENGINE_MODELS = ("publication", "entry", "editorialevent", "facet")

EDITOR_WORKFLOW_PERMISSIONS = ("submit_revision",)
REVIEWER_WORKFLOW_PERMISSIONS = ("review_revision", "publish_revision", "withdraw_entry")


def sync_roles(apps=None) -> None:
    """Create or update the Editor and Reviewer groups (idempotent; run after every migrate)."""
    if apps is None:
        from django.apps import apps
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        if getattr(app_config, "models_module", None) is None:
            app_config.models_module = True  # migration state stubs lack it
        create_permissions(app_config, apps=apps, verbosity=0)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content = Permission.objects.filter(content_type__app_label__in=CONTENT_APPS)
    view_all = content.filter(codename__startswith="view_")
    editable = content.exclude(content_type__model__in=ENGINE_MODELS).filter(
        codename__regex=r"^(add|change|delete)_"
    )
    editor, _ = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.set(
        list(view_all)
        + list(editable)
        + list(content.filter(codename__in=EDITOR_WORKFLOW_PERMISSIONS))
    )
    reviewer, _ = Group.objects.get_or_create(name=REVIEWER)
    reviewer.permissions.set(
        list(view_all) + list(content.filter(codename__in=REVIEWER_WORKFLOW_PERMISSIONS))
    )


def reviewers_listed() -> tuple[list[str], int]:
    """The active members of the Reviewer group by the names they publish under, and how
    many more have given no name: a login name is never shown to the public."""
    from django.contrib.auth import get_user_model

    names, unnamed = [], 0
    members = get_user_model().objects.filter(is_active=True, groups__name=REVIEWER).distinct()
    for user in members.order_by("last_name", "first_name", "pk"):
        name = user.get_full_name().strip()
        if name:
            names.append(name)
        else:
            unnamed += 1
    return names, unnamed
