"""Use cases: each takes a unit of work and plain values, asks the policy core, and records."""
