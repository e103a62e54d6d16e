"""Layer 1, the scenario: what an analyst writes, validated once into frozen typed models.

Durations, distributions, the scenario schema, YAML loading, replayed call logs and the
one-line input errors. Imports nothing else from callsim.
"""
