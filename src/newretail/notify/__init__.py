"""The notifier: one way to reach staff and consumers on every channel, and the
conversations between guides and their members."""
