"""Tests of the local Microsoft 365 sandbox, driven through the product's real msgraph-sdk
and msal code paths."""
