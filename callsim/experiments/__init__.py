"""Layer 5, experiments: replications, executors, comparisons, grids, sweeps and their store."""
