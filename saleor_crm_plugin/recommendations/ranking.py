"""Ranking helpers shared by the models (no Django)."""

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize


PACKED_BLOCK = 4_000_000  # entries per block (32 MB of float64)
DENSE_SHARE = 0.25  # stored share above which rows are selected densely
TIE_BREAK = 1e-9  # relative nudge towards the lower column; float32 scores differ by ≥ 6e-8 relative


def top_n_per_row(scores: sp.csr_matrix, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` best columns of every row of a sparse score matrix (positive entries only).

    Returns ``(columns, values)``, both ``(rows, n)``; rows with fewer than
    ``n`` positive entries are padded with column ``-1`` and value ``0``.
    Ties go to the lower column, so results are deterministic.

    Mostly-filled matrices are selected in dense row blocks. Otherwise each
    block of rows of similar length is *packed*: a row's stored entries side
    by side in a dense array as wide as the block's longest row, so the cost
    is linear in the stored entries, whatever the matrix's width. Equal
    scores are nudged apart by column (``TIE_BREAK``) and padding holds
    distinct negatives, because numpy's partition is both ambiguous and very
    slow on runs of equal values.
    """
    scores = scores.tocsr()
    rows, width = scores.shape
    columns = np.full((rows, n), -1, np.int32)
    values = np.zeros((rows, n), np.float32)
    if scores.nnz == 0 or n == 0:
        return columns, values
    if scores.nnz > DENSE_SHARE * rows * width:
        step = max(1, PACKED_BLOCK // width)
        for begin in range(0, rows, step):
            block_columns, block_values = top_n_dense(scores[begin : begin + step].toarray(), n)
            columns[begin : begin + step], values[begin : begin + step] = block_columns, block_values
        return columns, values
    data = scores.data.astype(np.float64)
    nudged = data * (1.0 + TIE_BREAK * (1.0 - scores.indices / width))
    lengths = np.diff(scores.indptr)
    by_length = np.argsort(lengths, kind="stable")  # rows of similar length share a block: little padding
    begin = int(np.searchsorted(lengths[by_length], 1))  # empty rows keep their padding
    while begin < rows:
        longest = int(lengths[by_length[min(rows, begin + 4096) - 1]])
        end = min(rows, begin + max(1, min(4096, PACKED_BLOCK // longest)))
        longest = int(lengths[by_length[end - 1]])
        block = by_length[begin:end]
        counts = lengths[block]
        row_of = np.repeat(np.arange(len(block)), counts)
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        slot = np.arange(len(row_of)) - first[row_of]
        position = np.zeros((len(block), longest), np.int64)
        position[row_of, slot] = scores.indptr[block][row_of] + slot
        packed = np.broadcast_to(-np.arange(1.0, longest + 1.0), (len(block), longest)).copy()
        packed[row_of, slot] = nudged[position[row_of, slot]]
        part, found = _select(packed, n)
        picked = np.take_along_axis(position, part, axis=1)
        columns[block, : part.shape[1]] = np.where(found, scores.indices[picked], -1)
        values[block, : part.shape[1]] = np.where(found, data[picked], 0)
        begin = end
    return columns, values


def top_n_dense(scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``top_n_per_row`` for a dense float32 block, which it overwrites (positive entries only).

    Unlike ``top_n_per_row``, equal scores at the cut are not ordered by
    column (the choice is still deterministic): nudging a block this size
    apart in float64 would double the cost of training ``similar``.
    """
    rows, width = scores.shape
    columns = np.full((rows, n), -1, np.int32)
    values = np.zeros((rows, n), np.float32)
    take = min(n, width)
    if rows == 0 or take == 0:
        return columns, values
    # Distinct negatives instead of zeros: numpy's partition crawls over runs of equal values.
    np.copyto(scores, -np.arange(1, width + 1, dtype=scores.dtype), where=scores <= 0)
    part = np.argpartition(scores, width - take, axis=1)[:, width - take :] if take < width else \
        np.broadcast_to(np.arange(width), (rows, width))
    picked = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-picked, axis=1, kind="stable")
    part, picked = np.take_along_axis(part, order, axis=1), np.take_along_axis(picked, order, axis=1)
    columns[:, :take] = np.where(picked > 0, part, -1)
    values[:, :take] = np.where(picked > 0, picked, 0)
    return columns, values


def _select(packed: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of each row's ``n`` largest (distinct) values, best first, and whether each is positive."""
    rows, width = packed.shape
    take = min(n, width)
    if take < width:
        part = np.argpartition(-packed, take - 1, axis=1)[:, :take]
    else:
        part = np.broadcast_to(np.arange(width), (rows, width))
    best = np.take_along_axis(packed, part, axis=1)
    order = np.argsort(-best, axis=1)
    return np.take_along_axis(part, order, axis=1), np.take_along_axis(best, order, axis=1) > 0


# Cost model for SimilarityBlocks: a feature goes dense when pairing its rows
# sparsely (≈ 5 ns a pair) costs more than a dense product over it (≈ 0.01 ns
# per row × column with BLAS): df_left · df_right > rows · columns / 500.
DENSE_PAIR_RATIO = 1 / 500


class SimilarityBlocks:
    """Dense blocks of ``left @ right.T`` for sparse ``left`` and ``right`` (rows × features).

    Frequent features make the sparse product slow and its result dense, so
    they go through a dense matrix product (BLAS); the rest stays sparse and
    is added in (``DENSE_PAIR_RATIO`` decides). The result is exact either way.
    """

    def __init__(self, left: sp.csr_matrix, right: sp.csr_matrix, block_rows: int):
        left, right = left.tocsr().astype(np.float32), right.tocsr().astype(np.float32)
        left_counts = np.bincount(left.indices, minlength=left.shape[1]).astype(np.float64)
        right_counts = np.bincount(right.indices, minlength=right.shape[1]).astype(np.float64)
        pairs = left_counts * right_counts
        dense_features = np.flatnonzero(pairs > DENSE_PAIR_RATIO * left.shape[0] * right.shape[0])
        sparse_features = np.flatnonzero(pairs <= DENSE_PAIR_RATIO * left.shape[0] * right.shape[0])
        n_dense = len(dense_features)
        self.left_dense = left[:, dense_features].toarray() if n_dense else None
        self.right_dense_t = np.ascontiguousarray(right[:, dense_features].toarray().T) if n_dense else None
        self.left_sparse = left[:, sparse_features].tocsr()
        self.right_sparse_t = right[:, sparse_features].T.tocsr()
        self.shape = (left.shape[0], right.shape[0])
        self.block_rows = block_rows
        self.dense_features = n_dense

    def __iter__(self):
        for begin in range(0, self.shape[0], self.block_rows):
            end = min(self.shape[0], begin + self.block_rows)
            yield begin, end, self.block(begin, end)

    def block(self, begin: int, end: int) -> np.ndarray:
        if self.left_dense is not None:
            out = self.left_dense[begin:end] @ self.right_dense_t
        else:
            out = np.zeros((end - begin, self.shape[1]), np.float32)
        rare = (self.left_sparse[begin:end] @ self.right_sparse_t).tocoo()
        out[rare.row, rare.col] += rare.data
        return out


def cosine_neighbor_blocks(
    vectors: sp.csr_matrix, k: int, *, pool: np.ndarray | None = None, chunk_rows: int = 1000
):
    """Each row's ``k`` most cosine-similar rows (itself excluded), a block of rows at a time.

    Yields ``(begin, end, neighbors, similarity)`` with ``(end − begin, k)``
    arrays padded with ``-1``/``0``, so callers never hold all neighbours at
    once. ``pool`` restricts the candidates to those rows (a random sample
    keeps the cost linear for very large shops).
    """
    rows = vectors.shape[0]
    if rows == 0:
        return
    if k == 0:
        for begin in range(0, rows, chunk_rows):
            end = min(rows, begin + chunk_rows)
            yield begin, end, np.full((end - begin, 0), -1, np.int64), np.zeros((end - begin, 0), np.float32)
        return
    unit = normalize(vectors.tocsr().astype(np.float32), norm="l2", axis=1)
    pool = np.arange(rows) if pool is None else np.asarray(pool)
    pool_position = np.full(rows, -1, np.int64)
    pool_position[pool] = np.arange(len(pool))
    for begin, end, block in SimilarityBlocks(unit, unit[pool], chunk_rows):
        own = pool_position[begin:end]
        inside = np.flatnonzero(own >= 0)
        block[inside, own[inside]] = 0.0  # never one's own neighbor
        columns, values = _top_k_unordered(block, k)
        yield begin, end, np.where(columns >= 0, pool[np.maximum(columns, 0)], -1), values


def _top_k_unordered(block: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's ``k`` largest positive entries in no particular order (a neighbour set)."""
    rows, width = block.shape
    if k >= width:
        part = np.broadcast_to(np.arange(width), (rows, width))
        columns = np.full((rows, k), -1, np.int64)
        values = np.zeros((rows, k), np.float32)
        picked = np.take_along_axis(block, part, 1)
        columns[:, :width] = np.where(picked > 0, part, -1)
        values[:, :width] = np.where(picked > 0, picked, 0)
        return columns, values
    # Distinct negatives instead of zeros: numpy's partition crawls over runs of equal values.
    np.copyto(block, -np.arange(1, width + 1, dtype=np.float32), where=block <= 0)
    part = np.argpartition(block, width - k, axis=1)[:, width - k :]
    picked = np.take_along_axis(block, part, 1)
    return np.where(picked > 0, part, -1), np.where(picked > 0, picked, 0).astype(np.float32)


def drop_diagonal(scores: sp.csr_matrix, offset: int) -> None:
    """Zero each row's own column, in place (row ``r`` of a block is item ``offset + r``)."""
    rows = np.repeat(np.arange(scores.shape[0]), np.diff(scores.indptr))
    scores.data[scores.indices == rows + offset] = 0
    scores.eliminate_zeros()


def listed(top_items: np.ndarray, top_scores: np.ndarray, row: int, n: int,
           exclude=()) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` entries of a precomputed top list (padding and ``exclude`` columns skipped)."""
    items = top_items[row]
    keep = items >= 0
    if len(exclude):
        keep &= ~np.isin(items, np.asarray(exclude))
    return items[keep][:n], top_scores[row][keep][:n]

