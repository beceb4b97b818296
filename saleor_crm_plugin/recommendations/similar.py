"""*Similar products*: content (TF-IDF) blended with co-purchase (no Django).

Content is what the catalog says about a product: its name (counted twice),
description, and *tags* — category, product type and each attribute value
(``genre=jazz``) as whole tokens, so a record shop's "same genre" counts as
much as shared words. Terms found on a single product (they relate it to nothing) and terms on
more than half of the products (in a catalog of 20 or more) are dropped. Each part is TF-IDF weighted with scikit-learn
(sublinear term frequency, smoothed idf), the two parts are joined and
L2-normalised, and products are compared by cosine.

Where two products with similar content also share orders, the similarity
blends both: ``content_weight · content + (1 − content_weight) · co-purchase``
(plain cosine over orders). Co-purchase alone never makes two described
products "similar" (coffee sold with every record is not a record like it);
it stands in only where a product's text relates it to nothing (catalogs
without descriptions). A product with no sales is compared on content alone.
``embed()`` turns the
snapshot of a product added after training into a vector of the fitted
vocabulary, so it gets *similar* results before the next training.
"""

import re
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.preprocessing import normalize

from .baskets import Baskets
from .ranking import SimilarityBlocks, drop_diagonal, listed, top_n_dense, top_n_per_row

WORD = re.compile(r"(?u)\b\w\w+\b")


def product_words(product: dict) -> str:
    name = product.get("name") or ""
    return f"{name} {name} {product.get('description') or ''}"


def product_tags(product: dict) -> list[str]:
    """Whole-token facts about a product: category, type and attribute values."""
    tags = []
    if product.get("category"):
        tags.append(f"category={product['category'].strip().lower()}")
    if product.get("product_type"):
        tags.append(f"type={product['product_type'].strip().lower()}")
    for attribute, values in sorted((product.get("attributes") or {}).items()):
        for value in values if isinstance(values, (list, tuple)) else [values]:
            if value not in (None, ""):
                tags.append(f"{str(attribute).strip().lower()}={str(value).strip().lower()}")
    return tags


def _word_vectorizer(vocabulary=None, max_df=1.0) -> CountVectorizer:
    return CountVectorizer(lowercase=True, token_pattern=WORD.pattern, vocabulary=vocabulary,
                           min_df=1 if vocabulary else 2, max_df=max_df, dtype=np.float32)


def _tag_vectorizer(vocabulary=None, max_df=1.0) -> CountVectorizer:
    return CountVectorizer(analyzer=product_tags, vocabulary=vocabulary, min_df=1 if vocabulary else 2,
                           max_df=max_df, dtype=np.float32)


def common_term_limit(n_products: int) -> float:
    """Terms on more than half of a catalog's products (the shop's name, "product") say nothing;
    a catalog of a few products keeps every term."""
    return 0.5 if n_products >= 20 else 1.0


def _weighting(idf=None) -> TfidfTransformer:
    weighting = TfidfTransformer(sublinear_tf=True, smooth_idf=True, norm=None)
    if idf is not None:
        weighting.idf_ = idf
    return weighting


class SimilarProducts:
    def __init__(self, content_weight: float = 0.5, tag_weight: float = 1.0, n_recommendations: int = 50):
        self.content_weight = content_weight
        self.tag_weight = tag_weight
        self.n_recommendations = n_recommendations

    def fit(
        self, baskets: Baskets, products: Sequence[dict], progress=None, co_purchases: sp.csr_matrix | None = None
    ) -> "SimilarProducts":
        """``products[i]`` describes ``baskets.item_ids[i]`` (name, description, category, product_type, attributes).

        ``co_purchases`` (``baskets.co_purchases()``) may be passed in when another model shares it.
        """
        if len(products) != baskets.n_items:
            raise ValueError("one product description per item column is required")
        self.item_ids_ = baskets.item_ids
        self.fit_content(products)

        co_all = baskets.co_purchases() if co_purchases is None else co_purchases
        norms = np.sqrt(co_all.diagonal()).astype(np.float32)
        orders = (sp.diags(1.0 / np.maximum(norms, 1.0)) @ co_all @ sp.diags(1.0 / np.maximum(norms, 1.0)))
        orders = orders.tocsr().astype(np.float32)  # plain cosine of two products' orders
        has_sales = norms > 0
        has_content = np.asarray(self.content_.getnnz(axis=1)).ravel() > 0
        n = baskets.n_items
        self.top_items_ = np.full((n, self.n_recommendations), -1, np.int32)
        self.top_scores_ = np.zeros((n, self.n_recommendations), np.float32)
        if not has_content.any():  # nothing in the catalog's text relates two products
            drop_diagonal(orders, 0)
            self.top_items_[:], self.top_scores_[:] = top_n_per_row(orders, self.n_recommendations)
            return self
        blocks = SimilarityBlocks(self.content_, self.content_, block_rows=max(1, 8_000_000 // n))
        for begin, end, block in blocks:
            _blend(block, orders[begin:end].tocoo(), self.content_weight, has_content, has_sales, begin)
            block[np.arange(end - begin), np.arange(begin, end)] = 0.0
            self.top_items_[begin:end], self.top_scores_[begin:end] = top_n_dense(block, self.n_recommendations)
            if progress:
                progress(end, n)
        return self

    def fit_content(self, products: Sequence[dict]) -> "SimilarProducts":
        """Fit the content part only (vocabulary, idf, ``content_``): rows follow ``products``.

        Without orders this is all there is (a new shop's catalog); comparing
        one product then costs one sparse product (``similar_to_content``).
        """
        words = _word_vectorizer(max_df=common_term_limit(len(products)))
        tags = _tag_vectorizer(max_df=common_term_limit(len(products)))
        word_weighting = _weighting()
        tag_weighting = _weighting()
        if len(products):
            word_counts = _fit_counts(words, [product_words(p) for p in products])
            tag_counts = _fit_counts(tags, products)
            word_part = word_weighting.fit_transform(word_counts) if word_counts.shape[1] else word_counts
            tag_part = tag_weighting.fit_transform(tag_counts) if tag_counts.shape[1] else tag_counts
        else:
            word_part = tag_part = sp.csr_matrix((0, 0), dtype=np.float32)
        self.word_terms_ = _terms(words)
        self.tag_terms_ = _terms(tags)
        self.word_idf_ = getattr(word_weighting, "idf_", np.zeros(0)).astype(np.float64)
        self.tag_idf_ = getattr(tag_weighting, "idf_", np.zeros(0)).astype(np.float64)
        self.content_ = self._join(word_part, tag_part)
        return self

    def _join(self, word_part, tag_part) -> sp.csr_matrix:
        joined = sp.hstack([word_part, self.tag_weight * tag_part], format="csr", dtype=np.float32)
        return normalize(joined, norm="l2", axis=1).astype(np.float32) if min(joined.shape) else joined

    def embed(self, products: Sequence[dict]) -> sp.csr_matrix:
        """Content vectors of products (e.g. added after training) in the fitted vocabulary."""
        parts = []
        for vectorizer, weighting, documents in (
            (_word_vectorizer(list(self.word_terms_)), _weighting(self.word_idf_), [product_words(p) for p in products]),
            (_tag_vectorizer(list(self.tag_terms_)), _weighting(self.tag_idf_), list(products)),
        ):
            if len(vectorizer.vocabulary):
                parts.append(weighting.transform(vectorizer.transform(documents)))
            else:
                parts.append(sp.csr_matrix((len(products), 0), dtype=np.float32))
        return self._join(*parts)

    def similar_to_content(self, vectors: sp.csr_matrix, n: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """Best item columns by content alone for each row of ``vectors`` (from ``embed``)."""
        return top_n_per_row((vectors @ self.content_.T).tocsr(), n)

    def similar_items(self, item_col: int, n: int = 10) -> tuple[np.ndarray, np.ndarray]:
        return listed(self.top_items_, self.top_scores_, item_col, n)


def _fit_counts(vectorizer: CountVectorizer, documents) -> sp.csr_matrix:
    try:
        return vectorizer.fit_transform(documents).tocsr()
    except ValueError:  # "empty vocabulary": no product says anything
        vectorizer.vocabulary_ = {}
        return sp.csr_matrix((len(documents), 0), dtype=np.float32)


def _terms(vectorizer: CountVectorizer) -> np.ndarray:
    vocabulary = getattr(vectorizer, "vocabulary_", {}) or {}
    terms = np.empty(len(vocabulary), dtype=object)
    for term, column in vocabulary.items():
        terms[column] = term
    return terms.astype(str) if len(terms) else np.zeros(0, dtype=str)


def _blend(content: np.ndarray, orders, weight, has_content, has_sales, offset) -> None:
    """Blend co-purchase (sparse, COO) into a dense block of content similarity, in place.

    * both products described and both sold: ``weight · content + (1 − weight) · orders``,
      only for pairs whose content is similar at all (coffee bought with every record is
      not a similar record);
    * both described, not both sold: content;
    * either one not described: co-purchase.
    """
    sold_rows = np.flatnonzero(has_sales[offset : offset + content.shape[0]])
    content[sold_rows] *= np.where(has_sales, weight, 1.0).astype(np.float32)
    rows, columns, values = orders.row, orders.col, orders.data
    described = has_content[rows + offset] & has_content[columns]
    related = content[rows, columns] > 0
    content[rows, columns] += np.where(described, np.where(related, (1.0 - weight) * values, 0.0), values)
