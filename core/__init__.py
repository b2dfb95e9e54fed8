"""Shared core of PlanGraph: typed dataclasses, configuration, errors, catalog, artifacts."""
