"""Sources a backfill reads events from (Saleor's database, data sets)."""
