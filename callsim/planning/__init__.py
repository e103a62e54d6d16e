"""Planning: how many agents, and when a policy pays off (staffing, break-even; rosters next).

Beside ``calibration``, above ``experiments``: planning runs replications through
:mod:`callsim.experiments.execution` and may use the scenario, engine, policies, analysis and
experiments layers, never ``calibration``, ``report`` or ``cli``.
"""
