"""All recommendation models of one training, saved and loaded together (no Django).

A bundle is written as one ``.npz`` archive (``numpy.savez``, loaded with
``allow_pickle=False``: data only, never code). Each model's constructor
parameters and fitted attributes (names ending in ``_``) are stored under its
name; ``FORMAT_VERSION`` changes whenever the layout does, and a bundle of
another format is refused rather than misread.
"""

import io
import zipfile
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from .also_bought import AlsoBought
from .baskets import Baskets
from .next_basket import NextBasketKNN
from .popularity import Popularity
from .similar import SimilarProducts

FORMAT_VERSION = 1
MODELS = {"for_you": NextBasketKNN, "also_bought": AlsoBought, "similar": SimilarProducts, "popularity": Popularity}


class BundleFormatError(ValueError):
    """The archive is not a recommendation bundle this code can read."""


@dataclass
class RecommenderBundle:
    for_you: NextBasketKNN
    also_bought: AlsoBought
    similar: SimilarProducts
    popularity: Popularity
    item_ids: np.ndarray
    item_categories: np.ndarray  # category name per item column ("" when unknown)
    category_repeat_rate: dict = field(default_factory=dict)  # category → share of purchases that were repeats
    info: dict = field(default_factory=dict)  # version, timings, counts, metrics

    @classmethod
    def fit(
        cls,
        baskets: Baskets,
        products: Sequence[dict],
        params: dict | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> "RecommenderBundle":
        """Fit every model; ``products[i]`` describes ``baskets.item_ids[i]``; ``params`` maps model → kwargs."""
        params = params or {}
        timings = {}

        def stage(name, fit):
            start = time.perf_counter()
            model = fit(lambda done, total: progress(name, done, total) if progress else None)
            timings[name] = round(time.perf_counter() - start, 4)
            return model

        co_purchases = baskets.co_purchases()  # shared by also-bought and similar
        for_you = stage("for_you", lambda p: NextBasketKNN(**params.get("for_you", {})).fit(baskets, progress=p))
        also = stage("also_bought", lambda p: AlsoBought(**params.get("also_bought", {})).fit(
            baskets, progress=p, co_purchases=co_purchases))
        similar = stage(
            "similar", lambda p: SimilarProducts(**params.get("similar", {})).fit(
                baskets, products, progress=p, co_purchases=co_purchases)
        )
        popularity = stage("popularity", lambda p: Popularity(**params.get("popularity", {})).fit(baskets))
        categories = np.asarray([(p.get("category") or "") for p in products], dtype=str)
        return cls(
            for_you=for_you,
            also_bought=also,
            similar=similar,
            popularity=popularity,
            item_ids=baskets.item_ids,
            item_categories=categories if len(categories) else np.zeros(0, dtype=str),
            category_repeat_rate=repeat_rates(baskets, categories),
            info={"fit_seconds": timings, "customers": baskets.n_customers, "products": baskets.n_items,
                  "orders": baskets.n_baskets, "lines": int(baskets.matrix.nnz)},
        )

    # -- lookups ---------------------------------------------------------
    def item_column(self, product_id: int) -> int | None:
        column = int(np.searchsorted(self.item_ids, product_id))
        return column if column < len(self.item_ids) and self.item_ids[column] == product_id else None

    def customer_row(self, customer_id: int) -> int | None:
        ids = self.for_you.customer_ids_
        row = int(np.searchsorted(ids, customer_id))
        return row if row < len(ids) and ids[row] == customer_id else None

    # -- persistence -----------------------------------------------------
    def to_bytes(self) -> bytes:
        arrays = {"format_version": np.asarray(FORMAT_VERSION), "item_ids": self.item_ids,
                  "item_categories": self.item_categories}
        meta = {"info": self.info, "category_repeat_rate": self.category_repeat_rate, "params": {}}
        for name in MODELS:
            model = getattr(self, name)
            meta["params"][name] = _params(model)
            for attribute, value in vars(model).items():
                if not attribute.endswith("_"):
                    continue
                key = f"{name}.{attribute}"
                if sp.issparse(value):
                    value = value.tocsr()
                    arrays[f"{key}.data"], arrays[f"{key}.indices"] = value.data, value.indices
                    arrays[f"{key}.indptr"], arrays[f"{key}.shape"] = value.indptr, np.asarray(value.shape)
                else:
                    arrays[key] = np.asarray(value)
        arrays["meta"] = np.asarray(json.dumps(meta))
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, blob: bytes) -> "RecommenderBundle":
        try:
            archive = np.load(io.BytesIO(blob), allow_pickle=False)
            arrays = {key: archive[key] for key in archive.files}
        except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as error:
            raise BundleFormatError(f"not a recommendation bundle: {error}") from error
        version = int(arrays.get("format_version", -1))
        if version != FORMAT_VERSION:
            raise BundleFormatError(f"bundle format {version}, this code reads format {FORMAT_VERSION}")
        meta = json.loads(str(arrays["meta"]))
        models = {}
        for name, model_class in MODELS.items():
            model = model_class(**meta["params"][name])
            prefix = f"{name}."
            for key in arrays:
                if not key.startswith(prefix):
                    continue
                attribute = key[len(prefix):]
                if attribute.endswith(".data"):
                    base = attribute[: -len(".data")]
                    setattr(model, base, sp.csr_matrix(
                        (arrays[f"{prefix}{base}.data"], arrays[f"{prefix}{base}.indices"],
                         arrays[f"{prefix}{base}.indptr"]), shape=tuple(arrays[f"{prefix}{base}.shape"])))
                elif not attribute.endswith((".indices", ".indptr", ".shape")):
                    setattr(model, attribute, arrays[key])
            models[name] = model
        return cls(**models, item_ids=arrays["item_ids"], item_categories=arrays["item_categories"],
                   category_repeat_rate=meta["category_repeat_rate"], info=meta["info"])


def _params(model) -> dict:
    return {key: value for key, value in vars(model).items() if not key.endswith("_")}


def repeat_rates(baskets: Baskets, categories: np.ndarray) -> dict:
    """Per category, the share of purchases of a product the customer had bought before."""
    if baskets.n_baskets == 0 or len(categories) == 0:
        return {}
    coo = baskets.matrix.tocoo()
    customer = baskets.basket_customer[coo.row].astype(np.int64)
    key = customer * baskets.n_items + coo.col
    order = np.lexsort((coo.row, key))  # baskets are in time order within a customer
    first = np.ones(len(order), bool)
    first[1:] = key[order][1:] != key[order][:-1]
    repeat = np.empty(len(order), bool)
    repeat[order] = ~first
    labels, codes = np.unique(categories[coo.col], return_inverse=True)
    totals = np.bincount(codes, minlength=len(labels))
    repeats = np.bincount(codes, weights=repeat, minlength=len(labels))
    return {str(label): round(float(r / t), 4) for label, r, t in zip(labels, repeats, totals) if t}
