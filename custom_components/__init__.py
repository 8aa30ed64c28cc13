"""Custom integrations of this repository, as HACS installs them."""
