"""Layer 6, report: figures (and, later, tables, the metric catalogue and HTML reports)."""
