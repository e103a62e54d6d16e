"""Layer 6, planning: from service targets to agents and shifts (staffing, break-even, rosters).

Planning runs experiments (it fans out replications through
:mod:`callsim.experiments.execution`) and sits above them; it and :mod:`callsim.calibration`
do not import each other. ``roster`` builds rosters (:func:`callsim.planning.roster.schedule`);
``covering`` holds the set-covering integer programme it solves.
"""
