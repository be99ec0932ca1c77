"""Each user's notifications: an in-admin list and email, sent by background tasks.
Who is told what about an answer is decided in `answers.notify`; this app keeps the
messages, each user's choices and the delivery (with retries)."""
