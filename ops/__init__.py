"""What running the site needs beside the editorial apps: the health check, request logs,
the on-commit task helper and the login lockout page."""
