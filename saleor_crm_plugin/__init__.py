"""A CRM for Saleor: capture, profiles, recommendations, segments, campaigns."""

__version__ = "0.1.0"
