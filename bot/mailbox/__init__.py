"""Reading the consent mailbox: catch-up by delta query, change notifications, the subscription."""
