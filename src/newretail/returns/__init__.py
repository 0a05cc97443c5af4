"""Returns and exchanges in any channel for an order from any channel."""
