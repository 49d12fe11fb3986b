"""Sweeps: run the engine many times and return values (matrix, compare, diagnose); no text."""
