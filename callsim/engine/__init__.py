"""Layer 2, the engine: one replication of the call center on SimPy's event loop.

Random streams, callers drawn up front, departments, the call center and its records.
Imports only :mod:`callsim.scenario`.
"""
