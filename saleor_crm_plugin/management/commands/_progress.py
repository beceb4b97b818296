"""Progress of long management commands, per entity: a bar on a terminal, plain lines in a log.

tqdm redraws its bar with carriage returns, which a log file or a CI console
keeps as one garbled line per redraw; so the bar is shown only when the
stream is a terminal, and otherwise one plain line per entity is written at
most every ``interval`` seconds, plus one when the entity is done.
"""

import time

from tqdm import tqdm


class EntityProgress:
    """``progress(entity, done, total)`` callback for backfill, analytics and training."""

    def __init__(self, stream, interval: float = 10.0, clock=time.monotonic):
        self.stream = stream
        self.interval = interval
        self.clock = clock
        self.bars = {}
        self.plain = {}  # entity → [done, total, time of the last line, finished line written]
        isatty = getattr(stream, "isatty", None)
        self.on_terminal = bool(isatty and isatty())

    def __call__(self, entity: str, done: int, total: int) -> None:
        entity = entity.replace("_", " ")  # stage keys such as "also_bought", shown as words
        if self.on_terminal:
            self._bar(entity, done, total)
        else:
            self._line(entity, done, total)

    def __enter__(self) -> "EntityProgress":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        """Close the bars; in plain mode, report where each unfinished entity stopped."""
        for bar in self.bars.values():
            bar.close()
        for entity, (done, total, _, finished) in self.plain.items():
            if not finished:
                self._write(entity, done, total)

    def _bar(self, entity: str, done: int, total: int) -> None:
        bar = self.bars.get(entity)
        if bar is None:
            bar = self.bars[entity] = tqdm(total=total, initial=0, desc=entity, unit="rec", file=self.stream)
        bar.update(done - bar.n)

    def _line(self, entity: str, done: int, total: int) -> None:
        now = self.clock()
        state = self.plain.get(entity)
        finished = total > 0 and done >= total
        if state is None:
            # The first call starts the clock; a line now would only say "0 of N".
            self.plain[entity] = [done, total, now, finished]
            if finished:
                self._write(entity, done, total)
            return
        state[0], state[1] = done, total
        if finished and not state[3]:
            state[2], state[3] = now, True
            self._write(entity, done, total)
        elif not finished and now - state[2] >= self.interval:
            state[2] = now
            self._write(entity, done, total)

    def _write(self, entity: str, done: int, total: int) -> None:
        share = f" ({done / total:.0%})" if total else ""
        self.stream.write(f"{entity}: {done:,} of {total:,}{share}\n")
        self.stream.flush()
