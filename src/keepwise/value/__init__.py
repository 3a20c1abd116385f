"""Customer value: RFM summary and segments, value tiers, profit contribution after cost to
serve, no-value customers, and the value scores (P(alive), predicted CLV) of a workspace."""
