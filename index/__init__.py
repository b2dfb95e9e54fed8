"""Retrieval stage (placeholder until the index helper lands)."""
