"""The prefecture mail survey: which mailer reads each address (export, import, server settings)."""
