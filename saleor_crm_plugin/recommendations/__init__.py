"""Recommendations: also bought, similar products, for you, cart.

The model code (``baskets``, ``ranking``, ``also_bought``, ``similar``,
``next_basket``, ``popularity``, ``baselines``, ``bundle``, ``evaluation``)
is pure numpy/scipy/scikit-learn and imports no Django. ``training``,
``store`` and ``service`` connect it to the CRM's tables.
"""
