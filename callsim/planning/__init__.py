"""Planning: from service targets to agents and shifts (staffing, break-even, rosters).

``roster`` builds rosters (:func:`callsim.planning.roster.schedule`); ``covering`` holds the
set-covering integer programme it solves.
"""
