"""The hash chain over audit records: how a row is serialised, sealed and checked.

Each chained row keeps `chain_record` (the canonical JSON of its meaningful fields as written),
`previous_hash` (the chain hash of the row before it in the same table) and
`chain_hash = sha256(previous_hash + chain_record)`. Keeping the record's own copy means a
column added to, or dropped from, an audited table later leaves old hashes valid, and the
check can say what a changed field used to hold.

Plain functions over a model class and plain values, so the data migration that seals the
rows already written uses exactly the code the running site uses.
"""

import datetime
import decimal
import hashlib
import json
import uuid
from dataclasses import dataclass

CHAIN_FIELDS = frozenset({"previous_hash", "chain_hash", "chain_record"})


def _jsonable(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC)
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


def recorded_fields(model):
    """The columns a row's hash covers: every concrete field but the key and the chain's own."""
    pk = model._meta.pk.attname
    return [
        f for f in model._meta.concrete_fields if f.attname != pk and f.attname not in CHAIN_FIELDS
    ]


def field_values(model, values: dict) -> dict:
    """`values` (attname -> Python value, from an instance or a `.values()` row) in the shape
    the chain records: each through its field's `to_python`, then JSON-safe."""
    return {
        f.attname: _jsonable(f.to_python(values[f.attname]))
        for f in recorded_fields(model)
        if f.attname in values
    }


def canonical(fields: dict) -> str:
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def link_hash(previous_hash: str, record: str) -> str:
    return hashlib.sha256((previous_hash + record).encode("utf-8")).hexdigest()


def seal(obj, previous_hash: str) -> str:
    """Fill `obj`'s chain fields as the successor of `previous_hash`; returns its chain hash."""
    model = type(obj)
    values = {f.attname: getattr(obj, f.attname) for f in recorded_fields(model)}
    obj.chain_record = canonical(field_values(model, values))
    obj.previous_hash = previous_hash
    obj.chain_hash = link_hash(previous_hash, obj.chain_record)
    return obj.chain_hash


def seal_existing(model, head_model, chain: str, batch=500) -> int:
    """Chain the rows a table already holds, oldest first (the data migration's step)."""
    previous, last_id, count = "", None, 0
    rows = model._default_manager.order_by("pk")
    pending = []
    for obj in rows.iterator(chunk_size=batch):
        previous = seal(obj, previous)
        last_id, count = obj.pk, count + 1
        pending.append(obj)
        if len(pending) >= batch:
            model._default_manager.bulk_update(pending, sorted(CHAIN_FIELDS))
            pending = []
    if pending:
        model._default_manager.bulk_update(pending, sorted(CHAIN_FIELDS))
    head_model._default_manager.update_or_create(
        chain=chain, defaults={"last_hash": previous, "last_id": last_id, "length": count}
    )
    return count


# --- checking --------------------------------------------------------------------------


@dataclass
class Break:
    """The first place a chain does not hold, in words an operator can act on."""

    chain: str
    message: str


def _when(value):
    if not value:
        return "unknown time"
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S UTC")
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def describe(model, pk, fields: dict, users: dict) -> str:
    """'answers.SignOff #4 (2026-12-03 17:00:01 UTC, by Dr Ann Lee, MD; answer 7)'."""
    who_field = getattr(model, "audit_who", "history_user_id")
    when_field = getattr(model, "audit_when", "history_date")
    subject_field = getattr(model, "audit_subject", "id")
    who = fields.get(who_field)
    if who_field.endswith("_id"):
        who = users.get(who, f"user {who}") if who is not None else "nobody signed in"
    parts = [_when(fields.get(when_field)), f"by {who}"]
    if fields.get(subject_field) is not None:
        subject = model._meta.get_field(subject_field.removesuffix("_id"))
        about = getattr(model, "instance_type", None) or subject.related_model
        noun = about._meta.verbose_name if about else subject.verbose_name
        parts.append(f"{noun} {fields[subject_field]}")
    reason = fields.get("history_change_reason")
    if reason:
        parts.append(f"“{reason[:80]}”")
    label = f"{model._meta.app_label}.{model.__name__}"
    return f"{label} #{pk} ({'; '.join(parts)})"


def _short(value):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "…"


def check_chain(model, head, users: dict, using="default") -> tuple[int, Break | None]:
    """Walk one table's chain in key order; the count of rows and the first break, if any."""
    chain = head.chain if head else None
    pk = model._meta.pk.attname
    previous_hash, previous = "", None
    count = 0
    rows = model._default_manager.using(using).order_by("pk").values().iterator(chunk_size=2000)
    for row in rows:
        count += 1
        current = field_values(model, row)
        try:
            recorded = json.loads(row["chain_record"])
        except (TypeError, ValueError):
            recorded = None
        this = describe(model, row[pk], recorded or current, users)
        if row["previous_hash"] != previous_hash:
            where = f"before {this}" if previous is None else f"between {previous} and {this}"
            if not row["chain_hash"]:
                message = f"{this} was never sealed: it was written outside the audit path."
            else:
                message = (
                    f"A record was removed {where} (or the one before was rewritten with its "
                    "hash recomputed): the chain does not link there."
                )
            return count, Break(chain or model._meta.label_lower, message)
        if recorded is None or link_hash(previous_hash, row["chain_record"]) != row["chain_hash"]:
            return count, Break(
                chain or model._meta.label_lower,
                f"{this} was changed: its stored record no longer matches its hash.",
            )
        changed = [
            f"{name} was {_short(recorded[name])}, now {_short(current[name])}"
            for name in sorted(recorded)
            if name in current and current[name] != recorded[name]
        ]
        if changed:
            return count, Break(
                chain or model._meta.label_lower, f"{this} was changed: " + "; ".join(changed)
            )
        previous_hash, previous = row["chain_hash"], this
    label = model._meta.label_lower
    if head is None:
        if count:
            return count, Break(label, f"The chain head of {label} is missing.")
        return count, None
    if head.last_hash != previous_hash or head.length != count:
        after = f"after {previous}" if previous else "(the table is empty)"
        return count, Break(
            label,
            f"The latest record(s) of {label} were removed {after}: the log last recorded "
            f"{head.length} record(s), ending with #{head.last_id}; {count} remain.",
        )
    return count, None
