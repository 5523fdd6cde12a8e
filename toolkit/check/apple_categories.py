"""Apple Podcasts' category list: the values ``itunes:category text=`` may take.

Source: Apple's "Apple Podcasts categories" page,
https://podcasters.apple.com/support/1691-apple-podcasts-categories, which
Apple's RSS guide links for the full list (the guide is archived in the
Podcastindex-org/podcast-namespace repository as ``itunes_reference.md``).
This is the list Apple has used since its 2019 revision: 19 categories,
110 names with the subcategories. Copies of that page agree on every name
except two Sports entries, written here as the feed values ``Football`` and
``Soccer`` (one copy shows them as "American Football" and "Football (Soccer)").

Names are case-sensitive. A subcategory counts only under its own category.
"""

from __future__ import annotations

import difflib

__all__ = ["APPLE_CATEGORIES", "OLD_NAMES", "category_problem"]

#: Category -> its subcategories, in Apple's order.
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": (
        "Careers",
        "Entrepreneurship",
        "Investing",
        "Management",
        "Marketing",
        "Non-Profit",
    ),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}


#: Names from Apple's list before 2019 that feeds still carry, and what replaced them
#: (an imported show's categories are often these).
OLD_NAMES: dict[str, str] = {
    "Arts/Literature": "Arts/Books",
    "Games & Hobbies": "Leisure",
    "Games & Hobbies/Automotive": "Leisure/Automotive",
    "Games & Hobbies/Aviation": "Leisure/Aviation",
    "Games & Hobbies/Hobbies": "Leisure/Hobbies",
    "Games & Hobbies/Video Games": "Leisure/Video Games",
    "Government & Organizations": "Government",
    "Health": "Health & Fitness",
    "News & Politics": "News/Politics",
    "Science & Medicine": "Science",
    "Society & Culture/History": "History",
    "Sports & Recreation": "Sports",
    "Technology/Gadgets": "Technology",
    "Technology/Podcasting": "Technology",
    "Technology/Software How-To": "Technology",
    "Technology/Tech News": "News/Tech News",
}


def _all_names() -> list[str]:
    names = list(APPLE_CATEGORIES)
    for top, subs in APPLE_CATEGORIES.items():
        names += [f"{top}/{sub}" for sub in subs]
    return names


def category_problem(value: str) -> str | None:
    """Why ``value`` ("Category" or "Category/Subcategory") is not Apple's, or None."""
    top, _, sub = (part.strip() for part in value.partition("/"))
    if top in APPLE_CATEGORIES and (not sub or sub in APPLE_CATEGORIES[top]):
        return None
    renamed = OLD_NAMES.get("/".join(p for p in (top, sub) if p))
    if renamed is not None:
        return f"{value!r} is not an Apple category since 2019: write {renamed!r}"
    names = _all_names()
    exact = {n.casefold(): n for n in names}.get(value.replace(" / ", "/").casefold())
    if exact is not None:
        return f"{value!r} is not an Apple category; names are case-sensitive: {exact!r}"
    if top in APPLE_CATEGORIES:
        subs = ", ".join(APPLE_CATEGORIES[top]) or "none"
        return f"{sub!r} is not a subcategory of {top!r} (its subcategories: {subs})"
    homes = [t for t, subs in APPLE_CATEGORIES.items() if top in subs]
    if homes and not sub:
        return f"{top!r} is a subcategory: write it as {homes[0] + '/' + top!r}"
    close = difflib.get_close_matches(value, names, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{value!r} is not an Apple category{hint}"
