"""Commission: what guides and stores earn from the sales credited to them, in any channel."""
