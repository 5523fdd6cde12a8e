"""Categories: each of the show's ``categories`` must be in Apple's list."""

from __future__ import annotations

from toolkit.check.apple_categories import category_problem
from toolkit.check.loading import ShowSource
from toolkit.check.model import Finding, error

__all__ = ["check_categories"]

CHECK = "categories"


def check_categories(source: ShowSource) -> list[Finding]:
    """At least one category, and every one of Apple's (names are case-sensitive)."""
    if not source.data:
        return []
    categories = source.data.get("categories")
    if not categories:
        return [error(CHECK, source.path, "categories", "none given: Apple requires a category")]
    if not isinstance(categories, list):
        return []  # the config check reports the type
    found: list[Finding] = []
    for i, value in enumerate(categories):
        if isinstance(value, str):
            problem = category_problem(value)
            if problem is not None:
                found.append(error(CHECK, source.path, f"categories[{i}]", problem))
    return found
