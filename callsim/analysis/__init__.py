"""Layer 4, analysis: metrics from records, statistics, Erlang formulas, JSON documents."""
