"""对接: needs and the other side they meet (kinds, core, financing, trade, labor, sessions, figures)."""
