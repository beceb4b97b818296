"""Customer search on 1M profiles: email fragment, name, phone and order number (issue 21: "found at once").

    python bench/customer_search.py [--customers 1000000] [--database crm_search_bench_1m] [--rebuild] [--runs 15]

Set-up (not timed, once; later runs reuse the database, ``--rebuild`` to start over): ``--customers`` profiles
with names drawn from 60 first and 300 last names (``anna.nowak123@mail-3.example``), a phone each
(``+4860…``), and 2.5 orders each on average with sequential numbers, written by COPY; the trigram and order
number indexes of migration 0018 are built after the load, then ANALYZE.

Measured: the staff list's search as the Dashboard asks for it (``graphql.customers.filtered_customers``: a page
of 20 by order count, newest first, and its ``totalCount``), median and maximum of ``--runs`` different terms
of each kind after one warm-up, beside the same-run baseline: the search before issue 21 (``icontains`` on
email, first and last name: a sequential scan), on the same terms where it could find them at all (it never
searched phones or order numbers).
"""

import argparse
import io
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._db import existing_database, fresh_database  # noqa: E402

FIRST = ("Anna Maria Katarzyna Małgorzata Agnieszka Barbara Ewa Krystyna Elżbieta Zofia Joanna Teresa Magdalena "
         "Monika Jadwiga Danuta Irena Halina Helena Beata Aleksandra Marta Dorota Karolina Jolanta Iwona Natalia "
         "Piotr Krzysztof Andrzej Tomasz Jan Paweł Michał Marcin Stanisław Jakub Adam Marek Łukasz Grzegorz "
         "Mateusz Wojciech Mariusz Dariusz Zbigniew Jerzy Maciej Rafał Kamil Robert Henryk Józef Kazimierz Ryszard "
         "Olivia Liam Emma Noah").split()
LAST_STEMS = ("Nowak Kowalski Wiśniewski Wójcik Kowalczyk Kamiński Lewandowski Zieliński Szymański Woźniak "
              "Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Piotrowski Grabowski Nowakowski Pawłowski "
              "Michalski Nowicki Adamczyk Dudek Zając Wieczorek Jabłoński Król Majewski Olszewski Jaworski Wróbel "
              "Malinowski Pawlak Witkowski Walczak Stępień Górski Rutkowski Michalak Sikora Ostrowski Baran Duda "
              "Szewczyk Tomaszewski Pietrzak Marciniak Wróblewski Zalewski").split()
LAST = [f"{stem}{suffix}" for stem in LAST_STEMS for suffix in ("", "-Lis", "-Bąk", "-Sowa", "-Kot", "-Ryba")]
PAGE = 20


def _ascii(text: str) -> str:
    return text.translate(str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ")).lower().replace("-", "")


def person(pid: int) -> tuple[str, str, str, str]:
    """(first, last, email, phone) of profile ``pid``: the same every run."""
    rng = random.Random(pid)
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return first, last, f"{_ascii(first)}.{_ascii(last)}{pid}@mail-{pid % 7}.example", f"+4860{pid:07d}"


def build(customers: int) -> None:
    from django.db import connection

    from saleor_crm_plugin.profiles.search import SEARCH_TEXT

    rng = random.Random(21)
    started = time.perf_counter()
    with connection.cursor() as cursor, cursor.connection.cursor() as raw:
        cursor.execute("DROP INDEX IF EXISTS crm_profile_search_trgm_idx; DROP INDEX IF EXISTS crm_order_number_idx")
        orders_of = [0] * (customers + 1)
        with raw.copy("COPY crm_order (order_id, number, profile_id, channel, currency, status, total_gross, "
                      "total_net, lines_count, placed_at, checkout_token, source_updated_at, version_key, phone, is_paid, "
                      "is_fulfilled, is_cancelled, is_expired, is_refunded, is_fully_refunded) "
                      "FROM STDIN") as copy:
            buffer, number = io.StringIO(), 1000
            for pid in range(1, customers + 1):
                for _ in range(rng.choice((1, 1, 2, 2, 3, 5))):
                    number += 1
                    orders_of[pid] += 1
                    buffer.write(f"s{number}\t{number}\t{pid}\tweb\tUSD\tfulfilled\t30.00\t30.00\t1\t"
                                 f"2025-01-01T00:00:00+00:00\t\t2025-01-01T00:00:00+00:00\tb\t{person(pid)[3]}\tt\tt\tf\tf\tf\tf\n")
                if pid % 100_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        with raw.copy("COPY crm_customer_profile (id, email, first_name, last_name, phone, order_count, "
                      "placed_count, cancelled_count, refunded_count, favourite_categories, favourite_products, "
                      "channels, open_checkouts, abandoned_checkouts, is_active, created_at, updated_at) "
                      "FROM STDIN") as copy:
            buffer = io.StringIO()
            for pid in range(1, customers + 1):
                first, last, email, phone = person(pid)
                buffer.write(f"{pid}\t{email}\t{first}\t{last}\t{phone}\t{orders_of[pid]}\t{orders_of[pid]}\t0\t0\t"
                             "[]\t[]\t[]\t0\t0\tt\t2025-01-01T00:00:00+00:00\t2025-01-01T00:00:00+00:00\n")
                if pid % 100_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        cursor.execute("SELECT setval(pg_get_serial_sequence('crm_customer_profile', 'id'), %s)", [customers])
        loaded = time.perf_counter()
        cursor.execute(f"CREATE INDEX crm_profile_search_trgm_idx ON crm_customer_profile "  # noqa: S608
                       f"USING gin ({SEARCH_TEXT} gin_trgm_ops)")
        indexed = time.perf_counter()
        cursor.execute("CREATE INDEX crm_order_number_idx ON crm_order (number)")
        cursor.execute("ANALYZE crm_customer_profile; ANALYZE crm_order")
    print(f"built {customers:,} profiles, {sum(orders_of):,} orders: load {loaded - started:.0f} s, trigram index "
          f"{indexed - loaded:.0f} s, order number index and ANALYZE {time.perf_counter() - indexed:.0f} s")


def terms(customers: int, runs: int) -> dict[str, list[str]]:
    """``runs`` + 1 (a warm-up) terms of each kind, for customers spread over the shop."""
    from django.db import connection

    rng = random.Random(7)
    pids = [rng.randint(1, customers) for _ in range(runs + 1)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM crm_order WHERE profile_id = ANY(%s) ORDER BY profile_id", [pids])
        numbers = [row[0] for row in cursor.fetchall()][: runs + 1]
    people = [person(pid) for pid in pids]
    return {
        "email fragment": [email.split("@")[0][-12:] for _, _, email, _ in people],  # "nowak123456"
        "last name": [last for _, last, _, _ in people],  # ~3,000 customers share one
        "full name": [f"{first} {last}" for first, last, _, _ in people],
        "phone": [f"{phone[3:6]} {phone[6:9]} {phone[9:]}" for *_, phone in people],  # "601 234 567"
        "order number": [f"#{number}" for number in numbers],
    }


def time_search(term: str, old: bool) -> tuple[float, int]:
    """Seconds for a page of 20 and its total count; and the count."""
    from django.db.models import Q

    from saleor_crm_plugin.graphql.customers import filtered_customers

    started = time.perf_counter()
    if old:  # before issue 21
        queryset = filtered_customers().filter(
            Q(email__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term))
    else:
        queryset = filtered_customers({"search": term})
    list(queryset[:PAGE])
    total = queryset.count()
    return time.perf_counter() - started, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--database", default="crm_search_bench_1m")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    if args.rebuild or not existing_database(args.database):
        fresh_database(args.database)
        build(args.customers)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM crm_customer_profile")
        print(f"database {args.database}: {cursor.fetchone()[0]:,} profiles")
    print(f"{'search':16} {'matches':>9} {'median ms':>10} {'max ms':>8}   {'before (icontains)':>22}")
    for kind, found in terms(args.customers, args.runs).items():
        new, old, matches = [], [], []
        for i, term in enumerate(found):
            seconds, total = time_search(term, old=False)
            if i:  # the first is the warm-up
                new.append(seconds * 1000)
                matches.append(total)
            if kind in ("email fragment", "last name") and i < 4:  # a sequential scan: a few runs suffice
                seconds, _ = time_search(term, old=True)
                if i:
                    old.append(seconds * 1000)
        before = f"{statistics.median(old):8.0f} / {max(old):6.0f}" if old else "not searched"
        print(f"{kind:16} {statistics.median(matches):9.0f} {statistics.median(new):10.1f} {max(new):8.1f}   "
              f"{before:>22}")


if __name__ == "__main__":
    main()
