"""The normalized CRM event: the one language between where events come from and what the CRM does with them.

Adapters (``events/``) turn Saleor objects and webhook payloads into these
events; the fold (``events/``) and the profiles (``profiles/``) read them. No
module here knows Saleor or the database, so both sides can depend on it
without depending on each other.
"""
