"""Customer analytics on arrays (numpy/scipy only, no Django): RFM, lifetime value, churn risk."""
