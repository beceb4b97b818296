"""Shop-wide reports: the profile summary, acquisition cohorts, repeat rate, RFM groups and segments."""
