"""KNOWN_OPEN: problem families that are known and being fixed, which the bounded fuzz test
lets pass while they are open. Every family found so far is fixed, so it is empty and the
test fails on any 5xx, any refusal out of shape and any refusal that wrote.

An entry is a name and a predicate over a finding (its ``family`` string, ``detail`` and
``reproduction``), e.g. ``("long /media/ names", lambda f: "File name too long" in f.family)``.
"""

KNOWN_OPEN: list = []


def known_family(finding) -> str | None:
    """The KNOWN_OPEN name a finding belongs to, or None if it is new."""
    for name, matches in KNOWN_OPEN:
        if matches(finding):
            return name
    return None
