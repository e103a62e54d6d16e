"""Layer 6, planning: how many agents, and when a policy pays off (staffing, break-even).

Planning runs experiments (it fans out replications through
:mod:`callsim.experiments.execution`) and sits above them; it and :mod:`callsim.calibration`
do not import each other.
"""
