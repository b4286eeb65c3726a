"""The store's fixed genre categories and the mapping of reader tags onto them.

Readers tag books with free-form shelf names. Only tags listed in `TAG_CATEGORIES`
count as genre evidence, and each names one or more store categories: `sci-fi` and
`science-fiction` both mean Science Fiction, `ya-fantasy` means Fantasy and Young
Adult. Every other tag is ignored, whether it is a shelf (`to-read`, `owned`), a
format (`kindle`, `audiobook`), a date (`read-in-2015`), an author (`stephen-king`)
or a theme too loose for a shelf of the store (`love`, `family`, `contemporary`).

Rule for one book, implemented by `categories_for_tags`:

1. A category's score is the sum of the counts of the book's tags that map to it. A
   tag that appears twice for one book counts once, with its larger count, and
   negative counts count as zero.
2. A category is kept when its score is at least `MIN_TAG_COUNT` readers and at least
   `MIN_SHARE` of the book's strongest category score.
3. Kept categories are ordered by score, highest first (ties by slug), and at most
   `MAX_CATEGORIES_PER_BOOK` are kept; the order becomes BookCategory.position.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class CategorySpec:
    """A category of the fixed list: display name, URL slug and a short description."""

    name: str
    slug: str
    description: str


CATEGORIES: tuple[CategorySpec, ...] = (
    CategorySpec(
        "Science Fiction",
        "science-fiction",
        "Futures, far planets, new technology and the people who live with them.",
    ),
    CategorySpec(
        "Fantasy",
        "fantasy",
        "Magic, invented worlds, myths and the supernatural.",
    ),
    CategorySpec(
        "Mystery",
        "mystery",
        "Crimes to solve, detectives amateur and professional, puzzles with answers.",
    ),
    CategorySpec(
        "Thriller",
        "thriller",
        "Suspense, danger and a clock that keeps ticking.",
    ),
    CategorySpec(
        "Romance",
        "romance",
        "Love stories of every era, heat level and setting.",
    ),
    CategorySpec(
        "Historical Fiction",
        "historical-fiction",
        "Novels set in the past, from the ancient world to the last century.",
    ),
    CategorySpec(
        "Horror",
        "horror",
        "Stories written to unsettle, frighten and haunt.",
    ),
    CategorySpec(
        "Classics",
        "classics",
        "Books that generations of readers keep coming back to.",
    ),
    CategorySpec(
        "Literary Fiction",
        "literary-fiction",
        "Character-driven novels where the writing is the point.",
    ),
    CategorySpec(
        "Young Adult",
        "young-adult",
        "Stories about growing up, written for teenage readers and enjoyed by all.",
    ),
    CategorySpec(
        "Children's",
        "childrens",
        "Picture books, early readers and middle-grade adventures.",
    ),
    CategorySpec(
        "Poetry",
        "poetry",
        "Collections and long poems, old and new.",
    ),
    CategorySpec(
        "Biography & Memoir",
        "biography-memoir",
        "Real lives, told by the people who lived them or by those who studied them.",
    ),
    CategorySpec(
        "History",
        "history",
        "Non-fiction about past events, places and people.",
    ),
    CategorySpec(
        "Science",
        "science",
        "Popular science, nature and the ideas behind how the world works.",
    ),
    CategorySpec(
        "Philosophy",
        "philosophy",
        "Questions of knowledge, ethics and meaning, from the ancients onwards.",
    ),
    CategorySpec(
        "Psychology",
        "psychology",
        "How minds work, go wrong and get better.",
    ),
    CategorySpec(
        "Self-Help",
        "self-help",
        "Practical books on habits, work, money and well-being.",
    ),
    CategorySpec(
        "Business",
        "business",
        "Companies, leadership, markets and economics.",
    ),
    CategorySpec(
        "Graphic Novels",
        "graphic-novels",
        "Comics, manga and stories told in pictures.",
    ),
    CategorySpec(
        "Humor",
        "humor",
        "Books written to make readers laugh.",
    ),
    CategorySpec(
        "Religion & Spirituality",
        "religion-spirituality",
        "Faith, scripture, theology and the spiritual life.",
    ),
    CategorySpec(
        "Travel",
        "travel",
        "Journeys, places and the writers who went there.",
    ),
)

CATEGORY_SLUGS: frozenset[str] = frozenset(spec.slug for spec in CATEGORIES)
CATEGORY_BY_SLUG: dict[str, CategorySpec] = {spec.slug: spec for spec in CATEGORIES}

# Minimum number of readers whose tags support a category for one book.
MIN_TAG_COUNT = 20
# Minimum score of a category relative to the book's strongest one (0.15 = 15 %).
MIN_SHARE = 0.15
# Maximum number of categories given to one book.
MAX_CATEGORIES_PER_BOOK = 4

_SF = "science-fiction"
_FANTASY = "fantasy"
_MYSTERY = "mystery"
_THRILLER = "thriller"
_ROMANCE = "romance"
_HISTFIC = "historical-fiction"
_YA = "young-adult"
_KIDS = "childrens"
_BIO = "biography-memoir"
_COMICS = "graphic-novels"
_RELIGION = "religion-spirituality"

# Synonym table: each reader tag that is genre evidence, with the categories it means.
TAG_CATEGORIES: dict[str, tuple[str, ...]] = {
    # Science fiction, its subgenres, and tags shared with fantasy.
    "science-fiction": (_SF,),
    "sci-fi": (_SF,),
    "scifi": (_SF,),
    "sf": (_SF,),
    "dystopian": (_SF,),
    "dystopia": (_SF,),
    "post-apocalyptic": (_SF,),
    "apocalyptic": (_SF,),
    "space-opera": (_SF,),
    "cyberpunk": (_SF,),
    "steampunk": (_SF,),
    "time-travel": (_SF,),
    "aliens": (_SF,),
    "sci-fi-fantasy": (_SF, _FANTASY),
    "scifi-fantasy": (_SF, _FANTASY),
    "fantasy-sci-fi": (_SF, _FANTASY),
    "fantasy-scifi": (_SF, _FANTASY),
    "science-fiction-fantasy": (_SF, _FANTASY),
    "sci-fi-and-fantasy": (_SF, _FANTASY),
    "sff": (_SF, _FANTASY),
    # Fantasy and the paranormal.
    "fantasy": (_FANTASY,),
    "urban-fantasy": (_FANTASY,),
    "high-fantasy": (_FANTASY,),
    "epic-fantasy": (_FANTASY,),
    "paranormal": (_FANTASY,),
    "paranormal-fantasy": (_FANTASY,),
    "fantasy-paranormal": (_FANTASY,),
    "supernatural": (_FANTASY,),
    "magic": (_FANTASY,),
    "dragons": (_FANTASY,),
    "fae": (_FANTASY,),
    "faeries": (_FANTASY,),
    "fairies": (_FANTASY,),
    "fairy-tales": (_FANTASY,),
    "fairy-tale": (_FANTASY,),
    "mythology": (_FANTASY,),
    "vampires": (_FANTASY,),
    "vampire": (_FANTASY,),
    "vamps": (_FANTASY,),
    "werewolves": (_FANTASY,),
    "shifters": (_FANTASY,),
    "shapeshifters": (_FANTASY,),
    "witches": (_FANTASY,),
    "angels": (_FANTASY,),
    "demons": (_FANTASY,),
    "paranormal-romance": (_ROMANCE, _FANTASY),
    "pnr": (_ROMANCE, _FANTASY),
    # Mystery, crime and thrillers.
    "mystery": (_MYSTERY,),
    "mysteries": (_MYSTERY,),
    "crime": (_MYSTERY,),
    "crime-fiction": (_MYSTERY,),
    "detective": (_MYSTERY,),
    "murder-mystery": (_MYSTERY,),
    "cozy-mystery": (_MYSTERY,),
    "mystery-crime": (_MYSTERY,),
    "crime-mystery": (_MYSTERY,),
    "mystery-thriller": (_MYSTERY, _THRILLER),
    "mystery-suspense": (_MYSTERY, _THRILLER),
    "crime-thriller": (_MYSTERY, _THRILLER),
    "thriller": (_THRILLER,),
    "thrillers": (_THRILLER,),
    "suspense": (_THRILLER,),
    "suspense-thriller": (_THRILLER,),
    "psychological-thriller": (_THRILLER,),
    "espionage": (_THRILLER,),
    "spy": (_THRILLER,),
    "romantic-suspense": (_ROMANCE, _THRILLER),
    # Romance.
    "romance": (_ROMANCE,),
    "contemporary-romance": (_ROMANCE,),
    "chick-lit": (_ROMANCE,),
    "chicklit": (_ROMANCE,),
    "chic-lit": (_ROMANCE,),
    "new-adult": (_ROMANCE,),
    "erotica": (_ROMANCE,),
    "erotic-romance": (_ROMANCE,),
    "historical-romance": (_ROMANCE, _HISTFIC),
    "ya-romance": (_ROMANCE, _YA),
    # Historical fiction and history.
    "historical-fiction": (_HISTFIC,),
    "historical": (_HISTFIC,),
    "historical-novel": (_HISTFIC,),
    "history": ("history",),
    "american-history": ("history",),
    "world-history": ("history",),
    "military-history": ("history",),
    # Horror.
    "horror": ("horror",),
    "zombies": ("horror",),
    "gothic": ("horror",),
    # Classics and literary fiction.
    "classics": ("classics",),
    "classic": ("classics",),
    "classic-literature": ("classics",),
    "classic-fiction": ("classics",),
    "classic-lit": ("classics",),
    "modern-classics": ("classics",),
    "classics-to-read": ("classics",),
    "1001-books": ("classics",),
    "1001": ("classics",),
    "1001-books-to-read-before-you-die": ("classics",),
    "clàssics": ("classics",),
    "literary-fiction": ("literary-fiction",),
    "literary": ("literary-fiction",),
    "literature": ("literary-fiction",),
    "contemporary-fiction": ("literary-fiction",),
    "modern-fiction": ("literary-fiction",),
    "general-fiction": ("literary-fiction",),
    "magical-realism": ("literary-fiction",),
    # Young adult.
    "young-adult": (_YA,),
    "ya": (_YA,),
    "teen": (_YA,),
    "teen-fiction": (_YA,),
    "ya-fiction": (_YA,),
    "young-adult-fiction": (_YA,),
    "ya-books": (_YA,),
    "ya-lit": (_YA,),
    "ya-contemporary": (_YA,),
    "ya-fantasy": (_FANTASY, _YA),
    "ya-paranormal": (_FANTASY, _YA),
    "ya-dystopian": (_SF, _YA),
    "ya-sci-fi": (_SF, _YA),
    # Children's books.
    "childrens": (_KIDS,),
    "children": (_KIDS,),
    "children-s": (_KIDS,),
    "children-s-books": (_KIDS,),
    "childrens-books": (_KIDS,),
    "children-books": (_KIDS,),
    "children-s-literature": (_KIDS,),
    "children-s-lit": (_KIDS,),
    "childrens-lit": (_KIDS,),
    "kids": (_KIDS,),
    "kids-books": (_KIDS,),
    "picture-books": (_KIDS,),
    "picture-book": (_KIDS,),
    "middle-grade": (_KIDS,),
    "juvenile": (_KIDS,),
    "juvenile-fiction": (_KIDS,),
    # Poetry.
    "poetry": ("poetry",),
    "poems": ("poetry",),
    # Biography and memoir.
    "biography": (_BIO,),
    "biographies": (_BIO,),
    "autobiography": (_BIO,),
    "memoir": (_BIO,),
    "memoirs": (_BIO,),
    "biography-memoir": (_BIO,),
    "memoir-biography": (_BIO,),
    # Science, philosophy, psychology.
    "science": ("science",),
    "popular-science": ("science",),
    "physics": ("science",),
    "biology": ("science",),
    "astronomy": ("science",),
    "evolution": ("science",),
    "mathematics": ("science",),
    "math": ("science",),
    "neuroscience": ("science", "psychology"),
    "philosophy": ("philosophy",),
    "psychology": ("psychology",),
    # Self-help and business.
    "self-help": ("self-help",),
    "self-improvement": ("self-help",),
    "personal-development": ("self-help",),
    "productivity": ("self-help",),
    "business": ("business",),
    "economics": ("business",),
    "leadership": ("business",),
    "management": ("business",),
    "finance": ("business",),
    "entrepreneurship": ("business",),
    "marketing": ("business",),
    # Graphic novels.
    "graphic-novels": (_COMICS,),
    "graphic-novel": (_COMICS,),
    "comics": (_COMICS,),
    "comic": (_COMICS,),
    "comic-books": (_COMICS,),
    "comics-graphic-novels": (_COMICS,),
    "graphic-novels-comics": (_COMICS,),
    "comics-and-graphic-novels": (_COMICS,),
    "manga": (_COMICS,),
    "mangá": (_COMICS,),
    "cómics": (_COMICS,),
    # Humor.
    "humor": ("humor",),
    "humour": ("humor",),
    "funny": ("humor",),
    "comedy": ("humor",),
    "humorous": ("humor",),
    "satire": ("humor",),
    # Religion and spirituality.
    "religion": (_RELIGION,),
    "religious": (_RELIGION,),
    "christian": (_RELIGION,),
    "christianity": (_RELIGION,),
    "christian-fiction": (_RELIGION,),
    "spirituality": (_RELIGION,),
    "spiritual": (_RELIGION,),
    "theology": (_RELIGION,),
    "buddhism": (_RELIGION,),
    # Travel.
    "travel": ("travel",),
    "travel-writing": ("travel",),
    "travelogue": ("travel",),
}

# Shelf, format and reading-status tags that are never genres. Only the synonym
# table above turns a tag into a category. This list names the most used non-genre
# tags, so a test catches a tag that is put in both places.
SHELF_TAGS: frozenset[str] = frozenset(
    {
        "to-read",
        "currently-reading",
        "favorites",
        "favourites",
        "favorite",
        "favourite",
        "favs",
        "faves",
        "all-time-favorites",
        "favorite-books",
        "my-favorites",
        "books-i-own",
        "owned",
        "owned-books",
        "own-it",
        "i-own",
        "my-books",
        "my-library",
        "home-library",
        "library",
        "library-books",
        "borrowed",
        "to-buy",
        "wish-list",
        "want-to-read",
        "tbr",
        "kindle",
        "nook",
        "ebook",
        "ebooks",
        "e-book",
        "e-books",
        "audiobook",
        "audiobooks",
        "audio",
        "audible",
        "paperback",
        "calibre",
        "default",
        "series",
        "re-read",
        "reread",
        "abandoned",
        "dnf",
        "did-not-finish",
        "unfinished",
        "book-club",
        "bookclub",
        "fiction",
        "non-fiction",
        "nonfiction",
        "novels",
        "novel",
        "books",
        "adult",
        "adult-fiction",
        "english",
    }
)

# Dated shelves such as "read-in-2015", "read-2016" or "2015-reads".
_DATED_SHELF = re.compile(r"^(read-(in-)?)?(19|20)\d\d(-(reads|books))?$")


def normalise_tag(tag: str) -> str:
    """Lower-case a tag and join its words with hyphens, as reader shelves are named."""
    return re.sub(r"[\s_]+", "-", tag.strip().casefold()).strip("-")


def is_shelf_tag(tag: str) -> bool:
    """Tell whether a tag is a reading shelf, format or date rather than a genre."""
    name = normalise_tag(tag)
    return name in SHELF_TAGS or bool(_DATED_SHELF.match(name))


def categories_of_tag(tag: str) -> tuple[str, ...]:
    """Return the store category slugs a reader tag stands for; empty if none."""
    name = normalise_tag(tag)
    if is_shelf_tag(name):
        return ()
    return TAG_CATEGORIES.get(name, ())


def category_scores(tag_counts: Mapping[str, int]) -> dict[str, int]:
    """Add up, per category, the counts of the tags that map to it.

    Args:
        tag_counts: Readers per tag name for one book; negative counts count as 0.

    Returns:
        Score per category slug, for categories with a positive score.
    """
    scores: dict[str, int] = {}
    for tag, count in tag_counts.items():
        if count <= 0:
            continue
        for slug in categories_of_tag(tag):
            scores[slug] = scores.get(slug, 0) + count
    return scores


def rank_categories(scores: Mapping[str, int]) -> list[str]:
    """Apply the minimum count, minimum share and maximum number to category scores.

    Returns:
        The kept category slugs, strongest first.
    """
    if not scores:
        return []
    strongest = max(scores.values())
    floor = max(MIN_TAG_COUNT, strongest * MIN_SHARE)
    kept = [(score, slug) for slug, score in scores.items() if score >= floor]
    kept.sort(key=lambda item: (-item[0], item[1]))
    return [slug for _score, slug in kept[:MAX_CATEGORIES_PER_BOOK]]


def categories_for_tags(tag_counts: Mapping[str, int]) -> list[str]:
    """Choose a book's store categories from its reader tags, strongest first.

    Args:
        tag_counts: Readers per tag name for one book.

    Returns:
        Category slugs in the order of BookCategory.position.
    """
    return rank_categories(category_scores(tag_counts))


def tag_category_index(tags: Iterable[tuple[int, str]]) -> dict[int, tuple[str, ...]]:
    """Map tag ids to their categories, keeping only the tags that are genre evidence.

    Args:
        tags: Pairs of tag id and tag name, as in a tags file.

    Returns:
        Categories per tag id, for the tag ids that map to at least one category.
    """
    index: dict[int, tuple[str, ...]] = {}
    for tag_id, name in tags:
        slugs = categories_of_tag(name)
        if slugs:
            index[tag_id] = slugs
    return index
