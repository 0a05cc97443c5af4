"""The data bank: events from every touchpoint, one person across channels, and the
analyses over them."""
