"""The declaration audit (CONTRACT §4): rules over declarations, DBCs, transfers and agreements,
each a pure function returning findings."""
