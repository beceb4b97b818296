"""The CDNOW data files shipped in the PyPI package ``lifetimes`` (read, never imported), for tests and benchmarks."""

from datetime import date
from importlib import metadata
from pathlib import Path

import numpy as np

from saleor_crm_plugin.analytics.summary import summarize

EPOCH = date(1970, 1, 1)


def cdnow_path(name: str = "CDNOW_sample.txt") -> Path:
    path = Path(metadata.distribution("lifetimes").locate_file(f"lifetimes/datasets/{name}"))
    if not path.exists():
        raise FileNotFoundError(f"{name} comes from the PyPI package lifetimes: pip install --no-deps lifetimes==0.11.3")
    return path


def day_number(yyyymmdd: str) -> int:
    return (date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:])) - EPOCH).days


def read_cdnow(name: str = "CDNOW_sample.txt"):
    """(customer, day, dollars) per line; the sample has an extra column, the master file a header."""
    customers, days, values = [], [], []
    for line in cdnow_path(name).read_text().splitlines():
        parts = line.split()
        if not parts or not parts[0].isdigit():
            continue
        if len(parts) == 5:  # sample: id, id in the master file, date, CDs, dollars
            parts = [parts[0], parts[2], parts[3], parts[4]]
        customers.append(int(parts[0]))
        days.append(day_number(parts[1]))
        values.append(float(parts[3]))
    return np.array(customers), np.array(days), np.array(values)


CALIBRATION_END = day_number("19970930")
HOLDOUT_DAYS = 273  # the literature's 39-week holdout: 1997-10-01..1998-06-30


def calibration_and_holdout(name: str = "CDNOW_master.txt"):
    """(summary of the first 39 weeks, bool per summarised customer: bought in the next 39 weeks)."""
    customers, days, values = read_cdnow(name)
    summary = summarize(customers, days, values, end_day=CALIBRATION_END)
    later = (days > CALIBRATION_END) & (days <= CALIBRATION_END + HOLDOUT_DAYS)
    return summary, np.isin(summary.customer, np.unique(customers[later]))
