"""Layer 3, transfer policies: what happens to a misrouted call once it is identified.

One module per policy (:mod:`~callsim.policies.cold`, :mod:`~callsim.policies.warm`), the
:class:`~callsim.policies.protocol.TransferPolicy` protocol they follow, and the
:mod:`~callsim.policies.registry` every other layer asks for policy names (the root package
hands the scenario layer a source that reads the registry, see
:mod:`callsim.scenario.option_models`).
"""
