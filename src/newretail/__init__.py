"""newretail: one member, one stock, every channel."""

__version__ = "0.1.0"
