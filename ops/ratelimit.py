"""Fixed-window request counts shared by every web process (ops.models.RateLimitWindow)."""

import datetime

from django.db import transaction
from django.utils import timezone

from .models import RateLimitWindow


def count_request(*, scope: str, client: str, window: int) -> int:
    """Count one request from `client` in the current `window`-second window of `scope`;
    the number counted so far, this one included. The row is locked while it is counted,
    so requests racing in several processes are each counted once."""
    now = timezone.now()
    start_ts = int(now.timestamp()) // window * window
    start = datetime.datetime.fromtimestamp(start_ts, datetime.UTC)
    with transaction.atomic():
        row, _ = RateLimitWindow.objects.select_for_update().get_or_create(
            scope=scope,
            client=client[:64],
            window_start=start,
            defaults={"expires_at": start + datetime.timedelta(seconds=window)},
        )
        row.count += 1
        row.save(update_fields=["count"])
        # Windows that have ended count for nothing: keep the table small.
        RateLimitWindow.objects.filter(expires_at__lt=now).delete()
    return row.count
