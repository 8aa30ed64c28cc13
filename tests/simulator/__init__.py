"""Tests of the local Moogo cloud simulator (moogo_sim)."""
