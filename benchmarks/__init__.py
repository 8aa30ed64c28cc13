"""Performance benchmark of the Moogo integration (``scripts/bench``).

Runs the real integration in a Home Assistant test instance against the
Moogo simulator, which serves from a separate process (as the real cloud
would), with a fixed latency added to every request. Not part of the test
suite; see docs/performance.md.
"""
