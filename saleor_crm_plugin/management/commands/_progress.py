"""A tqdm progress bar per entity for long management commands."""

from tqdm import tqdm


class EntityProgress:
    def __init__(self, stream):
        self.stream = stream
        self.bars = {}

    def __call__(self, entity: str, done: int, total: int) -> None:
        bar = self.bars.get(entity)
        if bar is None:
            bar = self.bars[entity] = tqdm(total=total, initial=0, desc=entity, unit="rec", file=self.stream)
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()
