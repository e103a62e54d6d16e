"""Layer 3, transfer policies: what happens to a misrouted call once it is identified."""
