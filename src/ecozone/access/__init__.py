"""Who may write: API users with hashed tokens and roles, and the append-only audit log."""
