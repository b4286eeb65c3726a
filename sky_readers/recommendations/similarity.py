"""Item-to-item similarity of books from the readers who liked them.

Input is a set of likes, (reader, book) pairs. Each book is the set of readers who
liked it, and two books are similar when the same readers liked both:

    similarity(a, b) = common / sqrt(likes(a) * likes(b)) * common / (common + SHRINK)

The first factor is the cosine of the two books' reader vectors. The second shrinks
pairs with few readers in common, so two books that a single reader happened to like
together do not outrank a pair that dozens of readers share. Pairs with fewer than
MIN_COMMON_READERS readers in common are left out.

A reader's picks add up the similarities of the books they liked (`score_books`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
from scipy import sparse

# Neighbours kept per book.
NEIGHBOURS_PER_BOOK = 20
# Readers two books must share to count as similar at all.
MIN_COMMON_READERS = 2
# Common readers at which a pair keeps half of its cosine similarity.
SHRINK = 2.0

Neighbours = dict[int, list[tuple[int, float]]]


def like_matrix(
    likes: Iterable[tuple[Hashable, int]],
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Build the readers-by-books 0/1 matrix of likes; repeated pairs count once.

    Returns:
        The matrix and the book id of each column.
    """
    readers: dict[Hashable, int] = {}
    books: dict[int, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for reader, book_id in likes:
        rows.append(readers.setdefault(reader, len(readers)))
        cols.append(books.setdefault(book_id, len(books)))
    data = np.ones(len(rows), dtype=np.float64)
    matrix = sparse.csr_matrix(
        (data, (rows, cols)), shape=(len(readers), len(books)), dtype=np.float64
    )
    # csr_matrix adds up duplicate entries; a like is a like, however often listed.
    matrix.data[:] = 1.0
    book_ids = np.empty(len(books), dtype=np.int64)
    for book_id, column in books.items():
        book_ids[column] = book_id
    return matrix, book_ids


def item_neighbours(
    likes: Iterable[tuple[Hashable, int]],
    *,
    per_book: int = NEIGHBOURS_PER_BOOK,
    min_common: int = MIN_COMMON_READERS,
    shrink: float = SHRINK,
) -> Neighbours:
    """Find each book's most similar books by the formula of this module.

    Args:
        likes: (reader, book id) pairs; a reader may be any hashable key.
        per_book: Neighbours kept per book.
        min_common: Readers a pair must share.
        shrink: Common readers at which a pair keeps half its cosine.

    Returns:
        For each book with neighbours, (book id, similarity) pairs, most similar
        first; ties go to the lower book id.
    """
    matrix, book_ids = like_matrix(likes)
    if matrix.shape[1] == 0:
        return {}
    common = (matrix.T @ matrix).tocsr()
    likes_per_book = common.diagonal()
    result: Neighbours = {}
    for column in range(common.shape[0]):
        start, end = common.indptr[column], common.indptr[column + 1]
        others = common.indices[start:end]
        shared = common.data[start:end]
        keep = (others != column) & (shared >= min_common)
        if not keep.any():
            continue
        others, shared = others[keep], shared[keep]
        cosine = shared / np.sqrt(likes_per_book[column] * likes_per_book[others])
        scores = cosine * shared / (shared + shrink)
        neighbour_ids = book_ids[others]
        # Highest score first, then the lower book id.
        order = np.lexsort((neighbour_ids, -scores))[:per_book]
        result[int(book_ids[column])] = [
            (int(neighbour_ids[i]), float(scores[i])) for i in order
        ]
    return result


def score_books(
    liked: Iterable[int], neighbours: Neighbours, exclude: set[int]
) -> list[tuple[int, float]]:
    """Rank books for a reader by adding up their similarity to each liked book.

    Args:
        liked: Books the reader liked.
        neighbours: Each book's neighbours, as `item_neighbours` returns them.
        exclude: Books not to suggest, such as those the reader has already.

    Returns:
        (book id, score) pairs, best first; ties go to the lower book id.
    """
    scores: dict[int, float] = {}
    for book_id in liked:
        for other, similarity in neighbours.get(book_id, ()):
            if other not in exclude:
                scores[other] = scores.get(other, 0.0) + similarity
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))
