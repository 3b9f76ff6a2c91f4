"""Mail in the sandbox: RFC 5322 messages, mailboxes, delivery and how Graph shows a message."""
