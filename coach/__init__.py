"""coach: an offline negotiation coach grounded in your own negotiation guides."""

__version__ = "0.1.0"
