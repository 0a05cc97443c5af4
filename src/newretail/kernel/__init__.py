"""What every domain shares: scope, roles, visibility, idempotency, translations, money."""
