"""From call records to a trusted scenario: the record format, estimators, writer, backtest.

This layer sits beside ``experiments``: it may use the scenario, engine, policies, analysis and
experiments layers, never ``report`` or ``cli``.
"""
