"""Permission entries follow their environment (SPEC-2 §1.3, §10.3): a fork copies every
role's entries for the source to the new environment, a rename renames them, a destroyed
environment's entries go. Called inside the environment write's transaction."""

from access.entries import FAMILIES
from access.final import recompute_all
from access.models import Role

ENVIRONMENT_ARRAYS = [
    name for family in ("item_type", "upload") for name in FAMILIES[family].arrays()
]


def _rewrite(change) -> None:
    for role in Role.objects.select_for_update().order_by("pk"):
        changed = False
        for name in ENVIRONMENT_ARRAYS:
            entries = getattr(role, name)
            rewritten = change(entries)
            if rewritten != entries:
                setattr(role, name, rewritten)
                changed = True
        if changed:
            role.save(update_fields=ENVIRONMENT_ARRAYS)
    recompute_all()


def forked(source: str, new: str) -> None:
    _rewrite(
        lambda entries: (
            entries + [{**e, "environment": new} for e in entries if e.get("environment") == source]
        )
    )


def renamed(old: str, new: str) -> None:
    _rewrite(
        lambda entries: [
            {**e, "environment": new} if e.get("environment") == old else e for e in entries
        ]
    )


def destroyed(name: str) -> None:
    _rewrite(lambda entries: [e for e in entries if e.get("environment") != name])


def created(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """An environment made other than by a fork (the first one, or one made directly):
    the built-in roles get their entries for it; a fork copied its source's already."""
    if created and not raw and instance.forked_from_id is None:
        from access import builtins

        builtins.add_environment(instance.name)
