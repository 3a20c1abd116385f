"""Pure models: arrays and DataFrames in, fitted models and numbers out — no database, no HTTP."""
