"""The notifier: one way to reach staff and consumers on every channel, and guide-member
conversations."""
