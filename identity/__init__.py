"""Identity beside the archive: service accounts' API tokens, the second factor of local
accounts and the record of login lockouts. Imports only the archive kernel."""
