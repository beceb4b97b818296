"""Order history as a sparse basket matrix (no Django).

A *basket* is one order's set of distinct products. Baskets are kept in
customer order and, within a customer, oldest first, so a customer's history
is the contiguous slice ``customer_start[c]:customer_start[c + 1]``.
"""

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Baskets:
    customer_ids: np.ndarray  # (n_customers,) int64, sorted: external customer keys
    item_ids: np.ndarray  # (n_items,) int64, sorted: external product ids
    matrix: sp.csr_matrix  # (n_baskets, n_items) float32, 1 where the basket holds the item
    basket_customer: np.ndarray  # (n_baskets,) int32 customer row of each basket
    basket_channel: np.ndarray  # (n_baskets,) int16 index into ``channels``
    basket_time: np.ndarray  # (n_baskets,) float64 seconds since the epoch
    channels: tuple[str, ...]

    @classmethod
    def from_lines(
        cls,
        customer: np.ndarray,
        order: np.ndarray,
        item: np.ndarray,
        placed_at: np.ndarray,
        channel: np.ndarray | None = None,
        channels: tuple[str, ...] = ("",),
        item_ids: np.ndarray | None = None,
    ) -> "Baskets":
        """Build from one entry per order line.

        ``customer``, ``order`` and ``item`` are integer keys; ``placed_at``
        is the order time (seconds, one value per line, equal within an
        order); ``channel`` indexes ``channels``. Repeated products within an
        order count once. ``item_ids`` fixes the item universe (e.g. the whole
        catalog, so products without sales still get a column).
        """
        customer = np.asarray(customer, dtype=np.int64)
        order = np.asarray(order, dtype=np.int64)
        item = np.asarray(item, dtype=np.int64)
        placed_at = np.asarray(placed_at, dtype=np.float64)
        channel = np.zeros(len(order), np.int16) if channel is None else np.asarray(channel, dtype=np.int16)
        if not (len(customer) == len(order) == len(item) == len(placed_at) == len(channel)):
            raise ValueError("customer, order, item, placed_at and channel must have one entry per line")

        customer_ids, customer_row = np.unique(customer, return_inverse=True)
        if item_ids is None:
            item_ids, item_col = np.unique(item, return_inverse=True)
        else:
            item_ids = np.unique(np.asarray(item_ids, dtype=np.int64))
            item_col = np.searchsorted(item_ids, item)
            if len(item) and (item_col.max() >= len(item_ids) or np.any(item_ids[item_col] != item)):
                raise ValueError("an order line names a product outside item_ids")
        # Baskets sorted by customer, then time, then order key.
        order_keys, first_line, basket_of_line = np.unique(order, return_index=True, return_inverse=True)
        b_customer = customer_row[first_line]
        b_time = placed_at[first_line]
        ordering = np.lexsort((order_keys, b_time, b_customer))
        rank = np.empty_like(ordering)
        rank[ordering] = np.arange(len(ordering))
        rows = rank[basket_of_line]
        matrix = sp.csr_matrix(
            (np.ones(len(rows), np.float32), (rows, item_col)), shape=(len(order_keys), len(item_ids))
        )
        matrix.sum_duplicates()
        matrix.data[:] = 1.0
        return cls(
            customer_ids=customer_ids,
            item_ids=item_ids,
            matrix=matrix,
            basket_customer=b_customer[ordering].astype(np.int32),
            basket_channel=channel[first_line][ordering],
            basket_time=b_time[ordering],
            channels=tuple(channels),
        )

    @property
    def n_customers(self) -> int:
        return len(self.customer_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    @property
    def n_baskets(self) -> int:
        return self.matrix.shape[0]

    def customer_start(self) -> np.ndarray:
        """Offsets of each customer's first basket (length ``n_customers + 1``)."""
        counts = np.bincount(self.basket_customer, minlength=self.n_customers)
        return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    def position_from_newest(self) -> np.ndarray:
        """For each basket, how many of its customer's baskets are newer (0 = newest)."""
        start = self.customer_start()
        counts = np.diff(start)
        index = np.arange(self.n_baskets)
        return (start[self.basket_customer + 1] - 1 - index).astype(np.int64) if len(counts) else index

    def customers_by_items(self, weights: np.ndarray | None = None) -> sp.csr_matrix:
        """Customer × item matrix: the sum of (weighted) basket rows per customer."""
        weights = np.ones(self.n_baskets, np.float32) if weights is None else weights.astype(np.float32)
        owner = sp.csr_matrix(
            (weights, (self.basket_customer, np.arange(self.n_baskets))), shape=(self.n_customers, self.n_baskets)
        )
        return (owner @ self.matrix).tocsr()

    def recent_products(self, limit: int | None = None) -> sp.csr_matrix:
        """Customer × item, 1 where the customer bought the product: at most their ``limit`` most recent ones.

        Recency is the customer's newest basket holding the product; products of
        the same basket are kept in column order. ``limit=None`` keeps them all.
        """
        coo = self.matrix.tocoo()
        customer = self.basket_customer[coo.row].astype(np.int64)
        shape = (self.n_customers, self.n_items)
        everything = sp.csr_matrix((np.ones(len(customer), np.float32), (customer, coo.col)), shape=shape)
        everything.sum_duplicates()
        everything.data[:] = 1.0
        distinct = np.diff(everything.indptr)
        if limit is None or not (distinct > limit).any():
            return everything
        # Only customers above the limit need their products ranked by recency (a few, in most shops).
        lines = (distinct > limit)[customer]
        customer, column, basket = customer[lines], coo.col[lines].astype(np.int64), coo.row[lines]
        key = customer * self.n_items + column
        # Lines are in basket order and a customer's baskets in time order, so after a stable sort
        # by (customer, product) the last line of each pair is its newest purchase.
        order = np.argsort(key, kind="stable")
        newest = np.ones(len(order), bool)
        newest[:-1] = key[order][1:] != key[order][:-1]
        column, basket = column[order[newest]], basket[order[newest]].astype(np.int64)
        # Newest basket first, then column; a customer's baskets are contiguous, so customers stay grouped.
        by_recency = np.argsort(column - basket * self.n_items)
        column, customer = column[by_recency], self.basket_customer[basket[by_recency]].astype(np.int64)
        index = np.arange(len(customer))
        first = np.ones(len(customer), bool)
        first[1:] = customer[1:] != customer[:-1]
        rank = index - np.maximum.accumulate(np.where(first, index, 0))
        keep = rank < limit
        recent = sp.csr_matrix((np.ones(int(keep.sum()), np.float32), (customer[keep], column[keep])), shape=shape)
        everything.data[np.repeat(distinct > limit, distinct)] = 0
        everything.eliminate_zeros()
        return (everything + recent).tocsr()

    def co_purchases(self) -> sp.csr_matrix:
        """Item × item: in how many orders two products were bought together (diagonal: orders per product)."""
        by_item = self.matrix.T.tocsr()
        return (by_item @ self.matrix).tocsr()

    def split_last(self) -> tuple["Baskets", dict[int, np.ndarray]]:
        """Hold out every customer's newest basket: (earlier baskets, {customer row: item columns}).

        Customers with a single basket keep nothing for training and are left out of both.
        """
        start = self.customer_start()
        last = start[1:] - 1
        counts = np.diff(start)
        keep = np.ones(self.n_baskets, bool)
        keep[last[counts > 0]] = False
        held = {}
        for row in np.flatnonzero(counts >= 2):
            basket = last[row]
            held[int(row)] = self.matrix.indices[self.matrix.indptr[basket] : self.matrix.indptr[basket + 1]].copy()
        kept_customers = np.isin(self.basket_customer, np.flatnonzero(counts >= 2))
        return self.subset(keep & kept_customers), held

    def subset(self, mask: np.ndarray) -> "Baskets":
        """Only the baskets where ``mask`` is true (customer and item universe unchanged)."""
        return Baskets(
            customer_ids=self.customer_ids,
            item_ids=self.item_ids,
            matrix=self.matrix[mask],
            basket_customer=self.basket_customer[mask],
            basket_channel=self.basket_channel[mask],
            basket_time=self.basket_time[mask],
            channels=self.channels,
        )
