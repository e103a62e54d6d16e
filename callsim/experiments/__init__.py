"""Layer 5, experiments: where replications are fanned out, and nothing else.

The execution primitive, replications, comparisons, grids, sweeps and their store.
"""
