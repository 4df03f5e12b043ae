"""Reading a table: ``GET`` on a table or one record, and a ``POST`` read as a ``GET``
(``X-HTTP-Method: GET`` or ``?method=GET``: the ids, filter and other options in the body).

DreamFactory's read options (df-database's ``BaseDbTableResource::handleGET`` and
df-sqldb's ``Table::runQuery``), each checked, never silently dropped:

- ``fields``: every field by default (``*``); an empty value gives the id only;
- ``ids`` (the listed order unless ``order``): an id no record of the table has is a 404
  naming it, unless ``continue=true``, which answers the records found;
- ``id_field`` (``id``, or a unique, unlocalized string, slug or integer field) and
  ``id_type`` (``string`` or ``integer``, checked against it): what ``ids`` and ``…/<id>``
  name records by;
- ``filter`` and ``params`` (see :mod:`record_api.filter_parser`), ``order``, ``limit``,
  ``offset``, ``locale``;
- ``include_count=true`` (``meta.count``), ``include_schema=true`` (``meta.schema``, as
  ``_schema/<table>`` answers), ``count_only=true`` (the bare number), ``as_list=true``
  (the ids only);
- ``group=a,b``: the distinct values of those (sortable) fields among the matches;
- ``related=*`` or a list: see :mod:`record_api.related`.
"""

from django.conf import settings

from items.counts import exact_count
from items.models import Item
from items.pages import model_page
from items.placement import is_placed, wire_attributes
from record_api import limits, options, related, schema
from record_api.errors import RecordApiError
from record_api.resources import record_values
from record_api.selectors import table_groups, table_records

DEFAULT_READ_LIMIT = 100
# DreamFactory parameters for features the record API does not have: refused, not dropped.
UNSUPPORTED = frozenset({"having"})
ID_TYPES = {"string": "text", "integer": "number"}
ID_FIELD_TYPES = {"string": "text", "slug": "text", "integer": "number"}
OVERRIDES = {"GET": "GET", "PUT": "PUT", "PATCH": "PATCH", "MERGE": "PATCH", "DELETE": "DELETE"}


def method_override(request) -> str | None:
    """The verb a ``POST`` stands for (DreamFactory's tunnelling for clients that only
    send GET and POST): ``X-HTTP-Method`` (or ``X-HTTP-Method-Override``) or ``?method=``.
    None when there is none; 400 when it names no verb of the record API."""
    raw = (
        request.headers.get("X-HTTP-Method")
        or request.headers.get("X-HTTP-Method-Override")
        or request.GET.get("method")
    )
    if not raw or request.method != "POST":
        return None
    verb = OVERRIDES.get(raw.strip().upper())
    if verb is None:
        raise RecordApiError(
            400, f"Unknown method '{raw}'.", {"method": raw, "allowed": sorted(OVERRIDES)}
        )
    return verb


class Options:
    """The read's options: the query's, overridden by those of a posted body."""

    def __init__(self, query, body=None, wrapper: str = "record"):
        self.query = query
        self.body = body if isinstance(body, dict) else {}
        self.records = None  # posted records naming the ones to read
        if isinstance(body, list):
            self.records = body
        elif isinstance(self.body.get(wrapper), list):
            self.records = self.body[wrapper]
        elif body not in (None, {}) and not isinstance(body, dict):
            raise RecordApiError(400, "Send the read's options as a JSON object.")

    def get(self, name: str, default=""):
        if name in self.body:
            return self.body[name]
        return self.query.get(name, default)

    def text(self, name: str) -> str:
        """A text option; a list (posted) is its comma-joined items."""
        value = self.get(name, "")
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return ",".join(value)
        if value is None:
            return ""
        if not isinstance(value, str | int | float):
            raise RecordApiError(400, f"{name} must be a text.", {name: value})
        return str(value)

    def flag(self, name: str) -> bool:
        return options.is_true(self.get(name, ""))

    def names(self) -> set:
        return set(self.query) | set(self.body)


def _id_field(opts: Options, fields) -> tuple[str, object]:
    """(``id_field``'s name, its field or None for ``id``), checked with ``id_type``."""
    name = opts.text("id_field").strip() or "id"
    id_type = opts.text("id_type").strip().lower()
    if id_type and id_type not in ID_TYPES:
        raise RecordApiError(
            400, f"Unknown id_type '{id_type}'.", {"id_type": id_type, "allowed": list(ID_TYPES)}
        )
    field = None
    if name != "id":
        field = next((f for f in fields if f.api_key == name), None)
        usable = (
            field is not None
            and not field.localized
            and field.field_type in ID_FIELD_TYPES
            and "unique" in (field.validators or {})
        )
        if not usable:
            raise RecordApiError(
                400,
                f"id_field '{name}' can't name records: use id or a unique, unlocalized "
                "string, slug or integer field.",
                {"id_field": name},
            )
    kind = ID_FIELD_TYPES[field.field_type] if field else "text"
    if id_type and ID_TYPES[id_type] != kind:
        raise RecordApiError(
            400, f"id_type '{id_type}' is not the type of {name}.", {"id_type": id_type}
        )
    return name, field


def _typed_ids(ids: list, field) -> list:
    """Ids as the id field holds them: whole numbers for an integer field."""
    if field is None or ID_FIELD_TYPES[field.field_type] == "text":
        return [str(id_) for id_ in ids]
    typed = []
    for id_ in ids:
        try:
            typed.append(int(str(id_).strip()))
        except ValueError:
            raise RecordApiError(
                400, f"'{id_}' is not a whole number ({field.api_key}).", {"ids": [id_]}
            ) from None
    return typed


def _posted_ids(opts: Options, id_name: str) -> list:
    """The ids of posted records (each must carry its id field)."""
    ids = []
    for index, record in enumerate(opts.records):
        if not isinstance(record, dict) or record.get(id_name) in (None, ""):
            raise RecordApiError(
                400,
                f"Required id field(s) not found in record {index}: {id_name}.",
                {"record": index, "id_field": id_name},
            )
        ids.append(record[id_name])
    return ids


def _not_found(missing: list) -> RecordApiError:
    return RecordApiError(
        404, f"Record with identifier '{missing[0]}' not found.", {"ids": missing}
    )


def _missing(item_type, fields, locale, ids: list, id_name: str, field, readable=None) -> list:
    """The ids no record of the table has, that the role may read (one query): a record
    the role can't read is missing, so a refusal never tells that it exists."""
    records, condition = table_records(
        item_type, fields, locale=locale, filter_text="", order_text="", ids=ids, id_field=id_name
    )
    if readable is not None:
        records = readable.restrict(records, [item_type.id])
    found = records.filter(condition)
    if field is None:
        have = set(found.values_list("id", flat=True))
    else:
        have = {item.data.get(field.id) for item in found.only("id", "data")}
    return [id_ for id_ in ids if id_ not in have]


class Reader:
    """One read of one table: the options checked once, then answered."""

    def __init__(self, item_type, model, opts: Options, wrapper: str, readable=None):
        self.item_type, self.model, self.opts, self.wrapper = item_type, model, opts, wrapper
        self.readable = readable  # the role's read permission (access.permissions.records)
        unsupported = sorted(UNSUPPORTED & opts.names())
        if unsupported:
            raise RecordApiError(
                400, f"Not supported: {', '.join(unsupported)}.", {"parameters": unsupported}
            )
        self.fields = model.fields[item_type.id]
        known = options.columns(item_type, self.fields)
        self.wanted = options.wanted_fields(opts.get("fields", "*"), known)
        self.limit = options.whole_number(
            opts, "limit", DEFAULT_READ_LIMIT, 1, limits.MAX_READ_LIMIT
        )
        self.offset = options.whole_number(opts, "offset", 0, 0, settings.CMS_MAX_OFFSET)
        self.locale = opts.text("locale") or model.locales[0]
        if self.locale not in model.locales:
            raise RecordApiError(
                400,
                f"Unknown locale '{self.locale}'.",
                {"locale": self.locale, "allowed": model.locales},
            )
        self.id_name, self.id_field = _id_field(opts, self.fields)
        self.related = related.wanted(opts.text("related"), item_type, model, readable)
        params = opts.body.get("params") if "params" in opts.body else None
        self.params = options.bound_params(opts.query, params)

    def one(self, record_id: str) -> dict:
        """``GET …/<table>/<id>``: the record, unwrapped; 404 if the table has none."""
        [typed] = _typed_ids([record_id], self.id_field)
        records, condition = self._records("", [typed])
        page = list(records.filter(condition)[:1])
        if not page:
            raise _not_found([record_id])
        return self._render(page)[0]

    def many(self):
        """A list read: the body (or the bare count)."""
        opts = self.opts
        ids = None
        if opts.records is not None:
            ids = _posted_ids(opts, self.id_name)
        elif isinstance(opts.get("ids"), list) or opts.text("ids").strip():
            raw = opts.get("ids")
            ids = options.id_list(raw if isinstance(raw, list) else opts.text("ids"))
        if ids is not None:
            return self._by_ids(_typed_ids(ids, self.id_field))
        return self._answer(opts.text("filter"), [])

    def _by_ids(self, ids: list):
        if not ids:
            raise RecordApiError(400, "The request contains no valid identifiers.", {"ids": []})
        if len(ids) > limits.MAX_READ_LIMIT:
            raise RecordApiError(
                400, f"ids lists at most {limits.MAX_READ_LIMIT} ids.", {"ids": len(ids)}
            )
        missing = _missing(
            self.item_type,
            self.fields,
            self.locale,
            ids,
            self.id_name,
            self.id_field,
            self.readable,
        )
        if missing and not self.opts.flag("continue"):
            raise _not_found(missing)
        return self._answer(self.opts.text("filter"), ids)

    def _records(self, filter_text: str, ids: list):
        records, condition = table_records(
            self.item_type,
            self.fields,
            locale=self.locale,
            filter_text=filter_text,
            order_text=self.opts.text("order"),
            ids=ids,
            params=self.params,
            id_field=self.id_name,
        )
        if self.readable is not None:
            records = self.readable.restrict(records, [self.item_type.id])
        return records, condition

    def _answer(self, filter_text: str, ids: list):
        opts = self.opts
        group = [n.strip() for n in opts.text("group").split(",") if n.strip()]
        if group:
            return self._groups(filter_text, group)
        records, condition = self._records(filter_text, ids)
        counting = opts.flag("include_count") or opts.flag("count_only")
        # The count first: it tells the page how to read the matches (items.pages).
        count = exact_count(records.filter(condition)) if counting else None
        if opts.flag("count_only"):
            return count
        page = model_page(
            records,
            condition,
            item_type_id=self.item_type.id,
            offset=self.offset,
            limit=self.limit,
            total=count,
        )
        if opts.flag("as_list"):
            key = self.id_field
            listed = [item.id if key is None else item.data.get(key.id) for item in page]
            return self._wrapped(listed, count)
        return self._wrapped(self._render(page), count)

    def _groups(self, filter_text: str, group: list):
        groups = table_groups(
            self.item_type,
            self.fields,
            locale=self.locale,
            filter_text=filter_text,
            params=self.params,
            group=group,
        )
        count = groups.count() if self.opts.flag("include_count") else None
        if self.opts.flag("count_only"):
            return groups.count()
        rows = groups[self.offset : self.offset + self.limit]
        answers = [{name: row[f"group_{i}"] for i, name in enumerate(group)} for row in rows]
        return self._wrapped(answers, count)

    def _wrapped(self, answers: list, count: int | None) -> dict:
        body = {self.wrapper: answers}
        meta = {}
        if count is not None:
            meta["count"] = count
        if self.opts.flag("include_schema"):
            meta["schema"] = schema.table(self.item_type, self.model)
        if meta:
            body["meta"] = meta
        return body

    def _render(self, page: list[Item]) -> list[dict]:
        placed = is_placed(self.item_type)
        answers = [
            record_values(
                item.id,
                item.data,
                item.item_type_id,
                self.model,
                self.wanted,
                wire_attributes(item, self.item_type) if placed else None,
            )
            for item in page
        ]
        if self.related:
            related.expand(page, answers, self.related, self.model, self.locale, self.readable)
        return answers


def posted_body(request):
    """A read's posted options (a ``POST`` read as ``GET``, or a ``GET`` with a body, as
    DreamFactory reads it), or None."""
    if request.META.get("CONTENT_LENGTH") in (None, "", "0"):
        return None
    return request.data
