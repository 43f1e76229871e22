"""OpenID Connect login, the second and optional way to sign in with the city's account:
the mozilla-django-oidc settings built from plain values, as config/directory.py builds the
LDAP ones. Wiring only: the settings call it with what the environment says, the tests with
the provider they start. The maps from the groups claim to roles and units are read by
config.directory.group_map (inline JSON or a JSON/TOML file), the same format as LDAP's."""


def oidc_settings(
    *,
    issuer: str,
    client_id: str,
    client_secret: str,
    authorization_endpoint: str,
    token_endpoint: str,
    userinfo_endpoint: str,
    jwks_endpoint: str,
    provider_name: str,
    sign_algo: str = "RS256",
    scopes: str = "openid profile email",
    ca_file: str = "",
    timeout: int = 10,
) -> dict:
    """The OIDC_* settings of mozilla-django-oidc plus the Registratur's own. The
    authorization-code flow with PKCE (S256) and a nonce; the ID token's signature is checked
    against the provider's JWKS, and its issuer and audience by web/oidc.py."""
    issuer = issuer.rstrip("/")
    required = {
        "REGISTRATUR_OIDC_CLIENT_ID": client_id,
        "REGISTRATUR_OIDC_CLIENT_SECRET": client_secret,
        "REGISTRATUR_OIDC_AUTHORIZATION_ENDPOINT": authorization_endpoint,
        "REGISTRATUR_OIDC_TOKEN_ENDPOINT": token_endpoint,
        "REGISTRATUR_OIDC_USERINFO_ENDPOINT": userinfo_endpoint,
        "REGISTRATUR_OIDC_JWKS_ENDPOINT": jwks_endpoint,
    }
    missing = [name for name, value in required.items() if not value]
    if missing:
        # Refused at start, not at the first login: a half-configured login is an outage.
        raise ValueError(f"REGISTRATUR_OIDC_ISSUER is set, but not {', '.join(missing)}")
    return {
        "OIDC_ENABLED": True,
        "OIDC_PROVIDER_NAME": provider_name or "Anmeldedienst der Stadt",
        "OIDC_OP_ISSUER": issuer,
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": client_secret,
        "OIDC_OP_AUTHORIZATION_ENDPOINT": authorization_endpoint,
        "OIDC_OP_TOKEN_ENDPOINT": token_endpoint,
        "OIDC_OP_USER_ENDPOINT": userinfo_endpoint,
        "OIDC_OP_JWKS_ENDPOINT": jwks_endpoint,
        "OIDC_RP_SIGN_ALGO": sign_algo,
        "OIDC_RP_SCOPES": scopes,
        "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256",
        "OIDC_USE_NONCE": True,
        # A CA file of the city's own PKI, or the system's trust store.
        "OIDC_VERIFY_SSL": ca_file or True,
        "OIDC_TIMEOUT": timeout,
        # The accounts are made and kept by web/oidc.py (one logged step), not the library.
        "OIDC_CREATE_USER": True,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "web:oidc_callback",
    }
