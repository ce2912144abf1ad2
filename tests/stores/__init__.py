"""The token store contract, run against every backend."""
