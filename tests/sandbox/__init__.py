"""Tests of the local Microsoft 365 sandbox, driven through the product's real msgraph-sdk,
msal and Microsoft 365 Agents SDK code paths."""
