"""Backup and restore of a whole instance: `registratur backup` and `registratur restore`.

`crypto` seals files (AES-256-GCM in chunks, key from a passphrase by scrypt), `snapshot`
writes a backup of a running instance, `rebuild` restores one into an empty data directory
and re-applies the destructions journaled since (`archive/destruction_journal.py`)."""
