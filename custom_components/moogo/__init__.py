"""The Moogo integration."""
