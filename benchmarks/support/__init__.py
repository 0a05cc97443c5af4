"""Shared set-up for the benchmark scripts (not a benchmark itself)."""
