"""The IASS meeting companion: a Microsoft Teams bot for SEND IAS services."""
