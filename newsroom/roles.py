"""The staff roles, as groups with permissions, created by data migrations.

Editors run the content (corrections and updates included), review reporters' drafts and
may moderate; Reporters add items and change their own drafts, which an editor publishes;
Moderators decide on comments and only read the content. Each app's migration grants the permissions
on its own models; those on publishable kinds come from the kinds registry
(``newsroom.kinds``).
"""

from __future__ import annotations

from collections.abc import Iterable

EDITORS = "Editors"
MODERATORS = "Moderators"
REPORTERS = "Reporters"

ALL = ("add", "change", "delete", "view")
# On publishable kinds: "publish" also approves reporters' drafts (newsroom.admin.review).
PUBLISHING = (*ALL, "publish")
# A reporter's: without "publish", "change" reaches only their own drafts.
REPORTING = ("add", "change", "view")

# Beyond the publishable kinds, whose own ``role_actions`` are added by role_permissions().
ROLE_PERMISSIONS: dict[str, dict[str, dict[str, Iterable[str]]]] = {
    EDITORS: {
        "newsroom": {
            "section": ALL,
            "author": ALL,
            "comment": ("add", "change", "view", "moderate"),
            "commentstatuschange": ("view",),
            "commentreport": ("view",),
            "ban": ("add", "change", "view"),
            # Corrections and updates: added and retracted, never deleted.
            "itemnote": ("add", "change", "view"),
            "frontpagepin": ALL,
            "image": ALL,
        },
        "taggit": {"tag": ALL, "taggeditem": ALL},
    },
    MODERATORS: {
        "newsroom": {
            "section": ("view",),
            "author": ("view",),
            "comment": ("change", "view", "moderate"),
            "commentstatuschange": ("view",),
            "commentreport": ("view",),
            "ban": ("add", "change", "view"),
            "itemnote": ("view",),
            "frontpagepin": ("view",),
            "image": ("view",),
        },
    },
    REPORTERS: {
        "newsroom": {
            "section": ("view",),
            "author": ("view",),
            # Reporters upload the pictures of their drafts and change their own uploads
            # (newsroom.admin.images); a picture others use is the editors' to change.
            "image": ("add", "view"),
        },
    },
}


def role_permissions() -> dict[str, dict[str, dict[str, Iterable[str]]]]:
    """Each role's actions by app label and model name: the fixed ones and the kinds'."""
    from . import kinds

    merged = {
        role: {app: dict(models) for app, models in apps.items()}
        for role, apps in ROLE_PERMISSIONS.items()
    }
    for kind in kinds.registered():
        meta = kind.model._meta
        for role, actions in kind.role_actions.items():
            merged.setdefault(role, {}).setdefault(meta.app_label, {})[meta.model_name] = actions
    return merged


def grant_role_permissions(apps, app_labels: Iterable[str]) -> None:
    """Give each role its permissions on the models of ``app_labels`` (a data migration step).

    Permissions are normally created after all migrations have run, so they are created
    here first for the apps concerned.
    """
    from django.contrib.auth.management import create_permissions

    app_labels = list(app_labels)
    for label in app_labels:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, per_app in role_permissions().items():
        group, _created = Group.objects.get_or_create(name=role)
        for label in app_labels:
            for model, actions in per_app.get(label, {}).items():
                codenames = [f"{action}_{model}" for action in actions]
                permissions = Permission.objects.filter(
                    content_type__app_label=label, codename__in=codenames
                )
                group.permissions.add(*permissions)
