"""Performance benchmark of the Moogo integration: ``scripts/bench``, docs/performance.md."""
