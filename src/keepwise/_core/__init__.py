"""Cross-cutting pieces every layer may use: config, errors, i18n, clock."""
