"""Permission entries (SPEC-2 §10.2): which keys each action allows, checked before a role
is written. A problem is a 422 INVALID_FIELD naming the array and the entry's index
(``positive_item_type_permissions[2].locale``).

``null`` and absent are the same (the official client compares entries that way): a
null-valued key is dropped when an entry is stored, except ``item_type`` /
``upload_collection`` / ``build_trigger`` / ``search_index`` (null: all of them), kept as
null so every entry names its target.
"""

from cms.api.errors import ApiError, invalid_field

ON_CREATOR = {"anyone", "self", "role"}
SCOPES = {"all", "localized", "not_localized"}

# action -> (required keys, optional keys), beyond environment and the target.
ITEM_ACTIONS = {
    "all": ({"on_creator", "localization_scope"}, {"on_stage", "to_stage"}),
    "read": ({"on_creator"}, set()),
    "create": ({"localization_scope"}, {"locale"}),
    "update": ({"on_creator", "localization_scope"}, {"locale", "on_stage"}),
    "publish": ({"on_creator", "localization_scope"}, {"locale", "on_stage"}),
    "duplicate": (set(), {"on_stage"}),
    "delete": ({"on_creator"}, {"on_stage"}),
    "edit_creator": ({"on_creator"}, {"on_stage"}),
    "take_over": ({"on_creator"}, {"on_stage"}),
    "move_to_stage": ({"on_creator"}, {"on_stage", "to_stage"}),
}
UPLOAD_ACTIONS = {
    "all": ({"on_creator", "localization_scope"}, set()),
    "update": ({"on_creator", "localization_scope"}, {"locale"}),
    "create": (set(), set()),
    "read": ({"on_creator"}, set()),
    "delete": ({"on_creator"}, set()),
    "edit_creator": ({"on_creator"}, set()),
    "replace_asset": ({"on_creator"}, set()),
    "move": ({"on_creator"}, {"move_to_upload_collection"}),
}
#: Keys that name workflows and their stages: this CMS has no workflows (DatoCMS's are an
#: Enterprise feature), so only null is accepted.
WORKFLOW_KEYS = {"workflow", "on_stage", "to_stage"}
MAX_ENTRIES = 1000


class Family:
    """One family of permission arrays and how its entries look."""

    def __init__(self, name: str, target: str, actions: dict | None):
        self.name, self.target, self.actions = name, target, actions

    def arrays(self) -> tuple[str, str]:
        return f"positive_{self.name}_permissions", f"negative_{self.name}_permissions"


FAMILIES = {
    "item_type": Family("item_type", "item_type", ITEM_ACTIONS),
    "upload": Family("upload", "upload_collection", UPLOAD_ACTIONS),
    "build_trigger": Family("build_trigger", "build_trigger", None),
    "search_index": Family("search_index", "search_index", None),
}


def clean_array(family: Family, attribute: str, value) -> list[dict]:
    """The entries to store; raises a list of ApiErrors naming each bad entry key."""
    if not isinstance(value, list):
        raise EntryErrors([invalid_field(attribute, "VALIDATION_FORMAT", message="An array.")])
    if len(value) > MAX_ENTRIES:
        raise EntryErrors([invalid_field(attribute, "VALIDATION_LENGTH", max=MAX_ENTRIES)])
    errors, cleaned = [], []
    for index, entry in enumerate(value):
        where = f"{attribute}[{index}]"
        if not isinstance(entry, dict):
            errors.append(invalid_field(where, "VALIDATION_FORMAT", message="An object."))
            continue
        found = _clean_entry(family, where, entry)
        errors.extend(found[1])
        cleaned.append(found[0])
    if errors:
        raise EntryErrors(errors)
    return cleaned


def _clean_entry(family: Family, where: str, entry: dict) -> tuple[dict, list[ApiError]]:
    given = {k: v for k, v in entry.items() if v is not None}
    target = entry.get(family.target)
    errors = []
    if target is not None and not isinstance(target, str):
        errors.append(invalid_field(f"{where}.{family.target}", "VALIDATION_FORMAT"))
    if family.actions is None:  # build triggers, search indexes: only the target
        for key in sorted(set(given) - {family.target}):
            errors.append(invalid_field(f"{where}.{key}", "VALIDATION_UNKNOWN_ATTRIBUTE"))
        return {family.target: target}, errors
    action = given.get("action")
    if not isinstance(action, str) or action not in family.actions:
        allowed = sorted(family.actions)
        errors.append(invalid_field(f"{where}.action", "VALIDATION_ENUM", allowed=allowed))
        return given, errors
    required, optional = family.actions[action]
    allowed = {"action", "environment", family.target, *required, *optional}
    if family.name == "item_type":
        allowed.add("workflow")
    for key in sorted(set(given) - allowed):
        errors.append(
            invalid_field(
                f"{where}.{key}",
                "VALIDATION_NOT_ALLOWED",
                message=f"An entry with action {action!r} doesn't take {key!r}.",
            )
        )
    for key in sorted({"environment", *required} - set(given)):
        errors.append(invalid_field(f"{where}.{key}", "VALIDATION_REQUIRED"))
    for key in sorted(WORKFLOW_KEYS & set(given)):
        errors.append(
            invalid_field(
                f"{where}.{key}", "VALIDATION_NOT_ALLOWED", message="This CMS has no workflows."
            )
        )
    if "workflow" in given and family.target in given:
        errors.append(invalid_field(f"{where}.workflow", "VALIDATION_NOT_ALLOWED"))
    if not isinstance(given.get("environment", ""), str):
        errors.append(invalid_field(f"{where}.environment", "VALIDATION_FORMAT"))
    if "on_creator" in given and not (
        isinstance(given["on_creator"], str) and given["on_creator"] in ON_CREATOR
    ):
        errors.append(
            invalid_field(f"{where}.on_creator", "VALIDATION_ENUM", allowed=sorted(ON_CREATOR))
        )
    scope = given.get("localization_scope")
    if scope is not None and not (isinstance(scope, str) and scope in SCOPES):
        errors.append(
            invalid_field(f"{where}.localization_scope", "VALIDATION_ENUM", allowed=sorted(SCOPES))
        )
    if action == "all" and scope not in (None, "all"):
        errors.append(
            invalid_field(
                f"{where}.localization_scope",
                "VALIDATION_ENUM",
                allowed=["all"],
                message="An entry for every action covers every locale.",
            )
        )
    if scope == "localized" and not isinstance(given.get("locale"), str):
        errors.append(invalid_field(f"{where}.locale", "VALIDATION_REQUIRED"))
    if scope != "localized" and "locale" in given:
        errors.append(
            invalid_field(
                f"{where}.locale",
                "VALIDATION_NOT_ALLOWED",
                message='A locale goes with localization_scope "localized".',
            )
        )
    target_move = given.get("move_to_upload_collection")
    if target_move is not None and not isinstance(target_move, str):
        errors.append(invalid_field(f"{where}.move_to_upload_collection", "VALIDATION_FORMAT"))
    return {**given, family.target: target}, errors


class EntryErrors(Exception):
    def __init__(self, errors: list[ApiError]):
        super().__init__(len(errors))
        self.errors = errors


def normalized(entry: dict) -> tuple:
    """An entry as a comparable value (null and absent alike)."""
    return tuple(sorted((k, repr(v)) for k, v in entry.items() if v is not None))
