"""The declaration audit (docs/data-format.md §4): rules over declarations, DBCs, transfers
and agreements, each a pure function returning findings."""
