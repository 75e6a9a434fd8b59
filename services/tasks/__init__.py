"""Departments do the work (派单 · 签收 · 退单 · 办结反馈): the task workflow table (workflow), dispatch and the
task actions (commands), the inbox and its scope (queries)."""
