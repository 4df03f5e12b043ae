"""A role's effective permissions (SPEC-2 §10.3): (inherited ∪ positive) − negative.

Flags and entries are inherited from every ancestor; a flag is on if any of them has it.
Negative entries are inherited too and always win: the final positive array drops the
entries a negative one equals, and the evaluator (access/permissions.py) refuses whatever
any final negative entry matches. ``environments_access`` is the role's own.

Roles are few and rarely written: every role's final permissions are recomputed, in the
transaction that writes any role, and stored (``Role.final_permissions``).
"""

from access.entries import normalized
from access.models import ARRAYS, FLAGS


def ancestry(parents: dict[str, list[str]], role_id: str) -> list[str]:
    """``role_id``'s ancestors, nearest first (each once); a cycle stops the walk."""
    seen, order, stack = {role_id}, [], list(parents.get(role_id, []))
    while stack:
        current = stack.pop(0)
        if current in seen:
            continue
        seen.add(current)
        order.append(current)
        stack.extend(parents.get(current, []))
    return order


def inherits_from_itself(parents: dict[str, list[str]], role_id: str) -> bool:
    stack, seen = list(parents.get(role_id, [])), set()
    while stack:
        current = stack.pop()
        if current == role_id:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(parents.get(current, []))
    return False


def compute(role, ancestors: list) -> dict:
    final = {"environments_access": role.environments_access}
    chain = [role, *ancestors]
    for flag in FLAGS:
        final[flag] = any(getattr(r, flag) for r in chain)
    for name in ARRAYS:
        entries, seen = [], set()
        for r in chain:
            for entry in getattr(r, name):
                key = normalized(entry)
                if key not in seen:
                    seen.add(key)
                    entries.append(entry)
        final[name] = entries
    for name in ARRAYS:
        if name.startswith("positive_"):
            negative = {normalized(e) for e in final[name.replace("positive_", "negative_", 1)]}
            final[name] = [e for e in final[name] if normalized(e) not in negative]
    return final


def recompute_all(Role=None) -> None:
    """Store every role's final permissions (``Role``: a migration's historical model)."""
    if Role is None:
        from access.models import Role
    roles = {r.pk: r for r in Role.objects.all()}
    through = Role.inherits_permissions_from.through
    parents: dict[str, list[str]] = {}
    for from_id, to_id in through.objects.values_list("from_role_id", "to_role_id"):
        parents.setdefault(from_id, []).append(to_id)
    for role in roles.values():
        ancestors = [roles[i] for i in ancestry(parents, role.pk) if i in roles]
        final = compute(role, ancestors)
        if final != role.final_permissions:
            Role.objects.filter(pk=role.pk).update(final_permissions=final)
            role.final_permissions = final
