"""Customer profiles: identity, metrics, timeline, privacy."""
