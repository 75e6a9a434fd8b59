"""清欠: the ledger of arrears owed to private and small enterprises (workflow, scope, cases, figures)."""
