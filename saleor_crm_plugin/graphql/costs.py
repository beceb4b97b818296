"""What each field costs, in units of about 40 µs of a worker's time (25 units ≈ 1 ms), measured on the
1M-customer shop of ``bench/graphql_cost.py`` (5.3M orders, 8M lines, 6.9M events; docs/benchmarks.md).

``limits.measure`` adds up, for every field a request selects::

    CALL_COSTS[field] (default 1) + size × (ITEM_COSTS[field] (default 0) + its selections)
    + ARGUMENT_COSTS[field][argument…] for the arguments given + the rows an `after` cursor skips

where ``size`` is how many objects the field returns (``first``, a connection's page, ``LIST_SIZE``). A
field resolved by attribute costs 1 (graphql-core 2 completes a value in 15–25 µs); a field whose resolver
queries PostgreSQL costs what the query takes on that shop. A field listed at ``SLOW`` takes longer than a
request may (2 s) on that shop by itself: it is priced so that it runs alone, never beside another one
(docs/benchmarks.md lists them and why).
"""

UNIT_MS = 0.04
STAFF_BUDGET = 50_000  # 2 s of a worker's time
SLOW = 40_000  # a field over 2 s by itself on the 1M shop: alone in its request
OFFSET_ROWS_PER_UNIT = 40  # an `after` cursor 900,000 rows in: 650 ms (PostgreSQL's OFFSET reads them all)
# Connections over one customer's rows: OFFSET never reads more than they hold, however far the cursor points.
OFFSET_CAPS = {"CRMCustomer.orders": 1_000, "Query.myOrderHistory": 1_000, "User.orderHistory": 1_000}

# Per call (per parent object: a customer's recommendations cost this for each customer of a page).
CALL_COSTS = {
    # Root fields: one query each, over the whole shop
    "Query.crmCustomers": 100,  # the page itself (order-count index); filters and sorts below
    "Query.crmServiceRequests": 8_000,  # the queue and its sort, ~300 ms
    "Query.crmSegmentPreview": 37_500,  # bounded by segments.membership.PREVIEW_TIMEOUT_MS (1.5 s)
    "Query.crmReport": 3_500,  # the repeat rate, ~130 ms; its lists below
    "Query.crmSatisfaction": SLOW,  # ~8 s: answers × orders × lines per category
    "Query.crmProductInsight": SLOW,  # 4–7 s for a best-selling product
    "Query.crmCustomerExport": 15_000,  # ~450 ms for the customer with the most history
    "Query.crmEmailTemplatePreview": 2_500,  # one customer's variables and a render
    "Query.recommendations": 100,  # ~3 ms: a trained model's lists or best-sellers
    "CRMReport.cohorts": 7_000,  # ~250 ms
    "CRMReport.rfmGroups": 10_000,  # ~390 ms
    "CRMReport.revenue": 10_000,  # a sum over crm_customer_spend: ~400 ms for 1M rows (measured apart, not in bench/)
    "CRMReport.segments": 14_000,  # ~530 ms
    # Saving a segment computes its members in the request: 0.6 s for 8,000 members, 3 s for 226,000, 11 s for
    # 1M (SLOW beyond a few hundred thousand; priced for a usual segment so that the example operations run)
    "Mutation.crmSegmentCreate": 30_000,
    "Mutation.crmSegmentUpdate": 30_000,
    # Per object of a page (a query per parent, or work a loader cannot share)
    "CRMCampaign.audience": SLOW,  # ~9.5 s: refreshes the segments and freezes the audience in a savepoint
    "CRMCampaign.totals": 400,  # a count by state: ~15 ms for a usual campaign, ~50 ms for 200,000 recipients
    "CRMCampaign.funnel": 1_000,
    "CRMCampaign.attributed": 1_000,
    "CRMCampaign.lift": 1_000,
    "CRMCampaign.health": 500,
    "CRMSegment.members": 15_000,  # ~400–800 ms for a segment of 100,000+ members (sorted by order count)
    "CRMCustomer.orders": 50,  # a page query and a count per customer
    "CRMCustomer.recommendations": 100,
    # One index probe per source (7: events, checkouts, mails, consent, messages, surveys, automation runs) per
    # customer, even when empty: 100 customers in 30–50 ms (bench/customer_search.py's shop, docs/benchmarks.md)
    "CRMCustomer.timeline": 10,
    "Product.alsoBought": 5,  # the model's lists in memory: ~0.2 ms
    "Product.similarProducts": 5,
    "User.recommendations": 100,
    # Totals: a count(*) over what the connection's filter selects (1M customers: ~90 ms)
    "CRMCustomerCountableConnection.totalCount": 2_500,
    "CRMOrderCountableConnection.totalCount": 25,
    "CRMServiceRequestCountableConnection.totalCount": 500,
    "CRMDeliveryCountableConnection.totalCount": 2_500,
}

# The weighted fields a shopper or an anonymous caller can reach. Every other weighted field is staff-only: for
# anyone else its resolver refuses at once (unauthenticated, permission_denied), so it costs them 1.
PUBLIC = {"Query.recommendations", "Product.alsoBought", "Product.similarProducts", "User.recommendations",
          "CRMOrderCountableConnection.totalCount", "Query.myOrderHistory", "User.orderHistory"}

# Per object returned, on top of its selections: entries read and rendered from rows of their own.
ITEM_COSTS = {
    "CRMCustomer.timeline": 2,  # an event payload read and summarised: ~60 µs an entry
    "CRMCustomerSatisfaction.history": 1,
    "CRMCustomer.consentHistory": 1,
    "CRMServiceRequest.messages": 1,
}

# Arguments that change the query: a filter scanning every customer, a sort no index serves.
ARGUMENT_COSTS = {
    "Query.crmCustomers": {
        # Trigram index over email, names and phone, order numbers by index (profiles/search.py): a rare term
        # ~10–120 ms, a surname 3,400 customers share up to ~500 ms with the total (bench/customer_search.py)
        "filter.search": 12_500,
        "filter.subscribedInChannel": 15_000,  # ~550 ms with the total
        "filter.segment": 10_000,  # ~380 ms
        "sortBy.field=CLV": SLOW,  # a per-customer subquery for 1M customers: ~2.4 s
        "sortBy.field=CHURN_RISK": SLOW,
        "sortBy.field=LAST_ORDER": 8_000,
        "sortBy.field=FIRST_ORDER": 8_000,
        "sortBy.field=CREATED": 10_000,
    },
    "Query.crmServiceRequests": {
        "sortBy.field=CLV": 8_000,
        "sortBy.field=REVENUE": 8_000,
        "filter.minClv": 8_000,
        "filter.minRevenue": 8_000,
    },
}
