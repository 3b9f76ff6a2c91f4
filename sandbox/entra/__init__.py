"""Entra ID (Azure AD) v2.0 endpoints: discovery, signing keys, sign-in and tokens."""
