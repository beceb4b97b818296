"""Popular products per channel, the cold-start fallback (no Django).

Each order counts with a weight halving every ``half_life_days`` before the
newest order, so what sells now beats what sold last year. Scores are kept
per channel and overall; the service filters them by category and
availability when it falls back.
"""

import numpy as np

from .baskets import Baskets

HALF_LIFE_DAYS = 30.0  # also the weighting of the best-sellers served before the first training


class Popularity:
    def __init__(self, half_life_days: float = HALF_LIFE_DAYS):
        self.half_life_days = half_life_days

    def fit(self, baskets: Baskets) -> "Popularity":
        self.item_ids_ = baskets.item_ids
        self.channels_ = np.asarray(baskets.channels, dtype=str)
        n_channels = len(baskets.channels)
        self.channel_scores_ = np.zeros((n_channels, baskets.n_items), np.float32)
        if baskets.n_baskets:
            age_days = (baskets.basket_time.max() - baskets.basket_time) / 86400.0
            weight = np.exp2(-age_days / self.half_life_days).astype(np.float32)
            matrix = baskets.matrix.tocoo()
            channel = baskets.basket_channel[matrix.row]
            np.add.at(self.channel_scores_, (channel, matrix.col), weight[matrix.row])
        self.scores_ = self.channel_scores_.sum(axis=0) if n_channels else np.zeros(baskets.n_items, np.float32)
        self.ranking_ = np.lexsort((np.arange(baskets.n_items), -self.scores_)).astype(np.int32)
        return self

    def scores_for(self, channel: str | None) -> np.ndarray:
        """Scores in ``channel`` (overall when the channel had no orders)."""
        if channel is not None:
            index = np.flatnonzero(self.channels_ == channel)
            if len(index) and self.channel_scores_[index[0]].any():
                return self.channel_scores_[index[0]]
        return self.scores_

    def recommend(self, n: int = 10, exclude=()) -> tuple[np.ndarray, np.ndarray]:
        ranking = self.ranking_[self.scores_[self.ranking_] > 0]
        if len(exclude):
            ranking = ranking[~np.isin(ranking, np.asarray(exclude))]
        return ranking[:n], self.scores_[ranking[:n]]
