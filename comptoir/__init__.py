"""Comptoir: a customer directory and consent-aware e-mail marketing for small merchants."""
