"""The data bank: events from every touchpoint, one person across channels, and analyses."""
