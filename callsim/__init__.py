"""callsim: warm vs cold transfers of misrouted calls, simulated."""
