"""Tests of the Moogo integration, its cloud client and the cloud simulator."""
