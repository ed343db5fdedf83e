"""The offline plan and policy gate (``make plan``).

Renders each stack x env under the mock runtime (no cloud, no CLI), runs the real policy pack over
its gRPC Analyzer protocol in preview mode, and reports resources, violations and failover figures
as a terminal table, JSON (``report.PlanReport``) and Markdown.
"""
