"""What running the site needs beside the editorial apps, knowing nothing of them: the
health check, request logs, the public page cache and its purge, the on-commit task helper,
the daily scheduler and its runs."""
