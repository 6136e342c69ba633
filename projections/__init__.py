"""Read models built by following the ledger: portfolio state, event log, reports."""
