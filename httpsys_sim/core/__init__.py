"""The model: scenarios in, results out.  The engine, and the remedies it proves by
re-simulation."""
