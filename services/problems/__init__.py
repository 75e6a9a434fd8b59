"""The problem ledger (问题台账): filing, the closure workflow, queries."""
