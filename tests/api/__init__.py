"""Tests of the Moogo cloud client (custom_components/moogo/api)."""
