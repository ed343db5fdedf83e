"""make rollout: a model moved to a new version step by step, under its alarms (see engine.py)."""
