"""Marketing mail: consent per channel, suppression, templates, campaigns and exactly-once sending."""
