"""The one converter between plain data (TOML, CSV, plan files) and resplan's types.

Structuring is strict: unknown keys are errors, an integer field takes only an integer
(``"221"`` or ``221.5`` is refused, not coerced), and every problem in a document is
reported at once. :func:`structure` is the one place that turns cattrs' structuring
errors into :class:`~resplan.errors.Problem` records for people.
"""

from __future__ import annotations

import functools
import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Literal

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)

from resplan.errors import InputError, Problem
from resplan.model import FieldValueError, FieldValueErrors, PartlyRead, Step1
from resplan.vocabulary import suggest

Path = tuple[str | int, ...]

converter = cattrs.Converter(forbid_extra_keys=True)


class _WrongType(TypeError):
    pass


def _describe(value: Any) -> str:
    kind = {
        bool: "true/false",
        int: "a whole number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)
    return f"{value!r} ({kind})" if not isinstance(value, (list, dict)) else kind


def _strict(kind: type, accepts: tuple[type, ...], name: str):
    def hook(value, _type):
        # bool is an int in Python; in a data file it never means a number.
        if isinstance(value, bool) and kind is not bool:
            raise _WrongType(f"expected {name}, got {_describe(value)}")
        if not isinstance(value, accepts):
            raise _WrongType(f"expected {name}, got {_describe(value)}")
        return kind(value)

    return hook


converter.register_structure_hook(int, _strict(int, (int,), "a whole number"))
converter.register_structure_hook(float, _strict(float, (int, float), "a number"))
converter.register_structure_hook(str, _strict(str, (str,), "text"))
converter.register_structure_hook(bool, _strict(bool, (bool,), "true or false"))


def _literal_hook(value, literal_type):
    allowed = typing.get_args(literal_type)
    if value not in allowed or isinstance(value, bool):
        hint = suggest(value, allowed) if isinstance(value, str) else ""
        raise _WrongType(f"{value!r} is not one of {', '.join(map(str, allowed))}{hint}")
    return value


converter.register_structure_hook_func(lambda t: typing.get_origin(t) is Literal, _literal_hook)


def _step1_result(value, _type):
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return _literal_hook(value, Literal["pass", "fail"])


converter.register_structure_hook(
    int | Literal["pass", "fail"] | None, lambda v, t: None if v is None else _step1_result(v, t)
)


def _visa_hook(value, _type):
    # One visa, or a list of the visas the applicant would take (first choice first).
    visa = typing.get_args(_type)[0]
    if isinstance(value, list):
        return _sequence_hook(value, tuple[visa, ...])
    if not isinstance(value, str):
        raise _WrongType(f"expected a visa or a list of visas, got {_describe(value)}")
    return _literal_hook(value, visa)


def _is_visa_choice(t) -> bool:
    args = typing.get_args(t)
    return (
        typing.get_origin(t) in (typing.Union, types.UnionType)
        and len(args) == 2
        and typing.get_origin(args[0]) is Literal
        and typing.get_args(args[1]) == (args[0], Ellipsis)
    )


converter.register_structure_hook_func(_is_visa_choice, _visa_hook)


def _is_optional(t) -> bool:
    args = typing.get_args(t)
    return (
        typing.get_origin(t) in (typing.Union, types.UnionType)
        and len(args) == 2
        and type(None) in args
    )


def _optional_hook_factory(t):
    # cattrs would look the inner type's hook up on every value; a catalog has ~100,000.
    inner = next(a for a in typing.get_args(t) if a is not type(None))
    hook = converter.get_structure_hook(inner)
    return lambda value, _type: None if value is None else hook(value, inner)


converter.register_structure_hook_factory(_is_optional, _optional_hook_factory)


def _sequence_hook(value, seq_type):
    if not isinstance(value, (list, tuple)):
        raise _WrongType(f"expected a list, got {_describe(value)}")
    return tuple(_structure_items(value, seq_type))


def _structure_items(value, seq_type):
    (item_type, *_rest) = typing.get_args(seq_type)
    errors = []
    for index, item in enumerate(value):
        try:
            yield converter.structure(item, item_type)
        except Exception as exc:  # noqa: BLE001 - regrouped with its index below
            exc.__notes__ = [
                *getattr(exc, "__notes__", []),
                cattrs.errors.IterableValidationNote(
                    f"Structuring {seq_type} @ index {index}", index, item_type
                ),
            ]
            errors.append(exc)
    if errors:
        raise IterableValidationError(f"While structuring {seq_type}", errors, seq_type)


converter.register_structure_hook_func(
    lambda t: typing.get_origin(t) is tuple and typing.get_args(t)[-1:] == (Ellipsis,),
    _sequence_hook,
)


# ------------------------------------------------------------ errors for people


def _problems_of(exc: BaseException, path: Path, cls) -> list[tuple[Path, str]]:
    if isinstance(exc, ForbiddenExtraKeysError):
        known = [a.name for a in attrs.fields(exc.cl)] if attrs.has(exc.cl) else []
        return [
            (path + (key,), f"unknown key{suggest(key, known)}") for key in sorted(exc.extra_fields)
        ]
    if isinstance(exc, (ClassValidationError, IterableValidationError)):
        out = []
        for sub in exc.exceptions:
            sub_path = path
            for note in getattr(sub, "__notes__", []):
                if isinstance(note, cattrs.errors.AttributeValidationNote):
                    sub_path = path + (note.name,)
                    break
                if isinstance(note, cattrs.errors.IterableValidationNote):
                    sub_path = path + (note.index,)
                    break
            out.extend(_problems_of(sub, sub_path, cls))
        return out
    if isinstance(exc, FieldValueError):
        return [(path + exc.path, exc.message)]
    if isinstance(exc, FieldValueErrors):
        return [(path + e.path, e.message) for e in exc.errors]
    if isinstance(exc, KeyError):
        # cattrs has already noted the missing attribute's name in the path.
        return [(path, "is required but missing")]
    if isinstance(exc, _WrongType):
        return [(path, str(exc))]
    if isinstance(exc, (TypeError, ValueError)):
        message = str(exc)
        if "required" in message or "missing" in message:
            return [(path, message)]
        return [(path, message or type(exc).__name__)]
    return [(path, f"{type(exc).__name__}: {exc}")]


def format_path(path: Path) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + part
    return text


def structure(
    data: Any,
    cls: type,
    *,
    file: str,
    base: Path = (),
    locate: Callable[[Path], int | None] = lambda path: None,
    subject: str = "",
):
    """Build ``cls`` from plain data or raise :class:`InputError` with every problem.

    Types are checked while structuring; field validators run afterwards, all of them, so
    that one bad value does not hide the next. When a value has the wrong type or is not
    in its vocabulary, the values around it are still checked (:func:`_validate_raw`).
    """
    try:
        with attrs.validators.disabled():
            obj: Any = converter.structure(data, cls)
    except Exception as exc:  # noqa: BLE001 - every structuring failure becomes Problems
        found = _problems_of(exc, base, None) + list(_validate_raw(data, cls, base))
        raise InputError(_sorted_problems(found, file, locate, subject)) from None
    found = list(_validate(obj, base))
    if found:
        raise InputError(_sorted_problems(found, file, locate, subject))
    return obj


def _sorted_problems(
    found: list[tuple[Path, str]], file: str, locate: Callable[[Path], int | None], subject: str
) -> list[Problem]:
    """One Problem per distinct complaint, in the order of the lines they point at."""
    problems = [
        Problem(
            file=file, message=message, field=format_path(path), line=locate(path), subject=subject
        )
        for path, message in dict.fromkeys(found)
    ]
    problems.sort(key=lambda p: p.line if p.line is not None else float("inf"))
    return problems


@functools.cache
def _checked_fields(cls: Any) -> tuple:
    return tuple(attrs.fields(cls))


@functools.cache
def _field_types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _attrs_inside(field_type) -> tuple[type | None, bool]:
    """The attrs class a field holds (``X``, ``X | None`` or ``tuple[X, ...]``) and
    whether it holds a sequence of them; ``(None, False)`` for anything else."""
    if attrs.has(field_type):
        return field_type, False
    args = typing.get_args(field_type)
    if _is_optional(field_type):
        inner = next(a for a in args if a is not type(None))
        return (inner, False) if attrs.has(inner) else (None, False)
    if typing.get_origin(field_type) is tuple and args[-1:] == (Ellipsis,) and attrs.has(args[0]):
        return args[0], True
    return None, False


def _validate_raw(data: Any, cls: type, path: Path):
    """The validators' complaints about the values of ``data`` that structure on their own.

    Used only when ``data`` as a whole does not structure (a bad file: speed does not
    matter), so that a wrong type or vocabulary does not hide a value out of range next
    to it. Complaints about the values that do not structure come from structuring.
    """
    if not attrs.has(cls) or not isinstance(data, dict):
        return
    types_ = _field_types(cls)
    values, whole = {}, True
    for field in _checked_fields(cls):
        if field.name not in data:
            whole = whole and field.default is not attrs.NOTHING
            continue
        raw = data[field.name]
        try:
            with attrs.validators.disabled():
                value = converter.structure(raw, types_[field.name])
        except Exception:  # noqa: BLE001 - reported by structuring; look inside it
            whole = False
            inner, many = _attrs_inside(types_[field.name])
            if inner is not None and many and isinstance(raw, list):
                for index, item in enumerate(raw):
                    yield from _validate_raw(item, inner, path + (field.name, index))
            elif inner is not None and not many:
                readable = yield from _validate_raw(raw, inner, path + (field.name,))
                if readable is not None:
                    unread = frozenset(raw) - frozenset(readable)
                    values[field.name] = PartlyRead(readable, unread)
            continue
        values[field.name] = value
    if whole:
        # Every field structures (the table may have an unknown key): the checks of the
        # whole object run too.
        try:
            with attrs.validators.disabled():
                obj = cls(
                    **{
                        f.name: values[f.name]
                        for f in _checked_fields(cls)
                        if f.name in values and f.init
                    }
                )
        except Exception as exc:  # noqa: BLE001 - a check across fields
            # The fields' own checks below still run: a graduation year of 3000 is
            # wrong in itself, not only for coming after the cycle.
            yield from _problems_of(exc, path, None)
        else:
            yield from _validate(obj, path)
            return values
    for error in getattr(cls, "check_parts", lambda values: ())(values):
        yield path + error.path, error.message
    for field in _checked_fields(cls):
        if field.name in values and not isinstance(values[field.name], PartlyRead):
            yield from _check_field(None, field, values[field.name], path)
    return {name: value for name, value in values.items() if not isinstance(value, PartlyRead)}


def check_value(cls: type, name: str, value: Any) -> list[tuple[Path, str]]:
    """What :func:`structure` would say of ``value`` as the field ``name`` of ``cls``, by
    itself: its type or vocabulary, then its validator. A value read elsewhere (a verify
    sheet's cell) is checked as the file it becomes will be."""
    field = attrs.fields_dict(cls)[name]
    try:
        with attrs.validators.disabled():
            structured = converter.structure(value, _field_types(cls)[name])
    except Exception as exc:  # noqa: BLE001 - every structuring failure becomes a complaint
        return _problems_of(exc, (name,), None)
    if callable(field.converter):  # the fields use plain functions, e.g. visas
        structured = field.converter(structured)
    return list(_check_field(None, field, structured, ()))


# Values that hold no objects to look inside: one without a validator has nothing to check.
_PLAIN = frozenset({str, int, float, bool})


def _validate(obj: Any, path: Path):
    """Run every attrs validator of ``obj`` and the objects inside it; yield the complaints."""
    for field in _checked_fields(obj.__class__):
        value = getattr(obj, field.name)
        # Most of a catalog's values (13,000 programs of 20 fields): skipped here, not
        # through a generator each.
        if value is None or (field.validator is None and type(value) in _PLAIN):
            continue
        yield from _check_field(obj, field, value, path)


def _check_field(owner: Any, field: attrs.Attribute, value: Any, path: Path):
    """The complaints of one field's validator, and of the objects the field holds."""
    if value is None:
        return  # an unknown fact: nothing to check (validators accept None)
    if field.validator is not None:
        try:
            field.validator(owner, field, value)
        except FieldValueError as exc:
            yield path + exc.path, exc.message
        except FieldValueErrors as exc:
            for error in exc.errors:
                yield path + error.path, error.message
        except ValueError as exc:
            yield path + (field.name,), str(exc)
    if type(value) in _PLAIN:
        return
    if attrs.has(type(value)):
        yield from _validate(value, path + (field.name,))
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            if attrs.has(type(item)):
                yield from _validate(item, path + (field.name, index))


class _Quick:
    """How :func:`quick_structurer` checks one field: its kind and what it allows."""

    __slots__ = ("kind", "allowed", "optional")

    def __init__(self, kind: Any, allowed: frozenset = frozenset(), optional: bool = False):
        self.kind, self.allowed, self.optional = kind, allowed, optional


_LITERAL, _LITERALS = "literal", "literals"  # one value of a vocabulary; a list of them


def _quick_field(field_type) -> _Quick | None:
    optional = _is_optional(field_type)
    if optional:
        field_type = next(a for a in typing.get_args(field_type) if a is not type(None))
    if field_type in (str, int, float, bool):
        return _Quick(field_type, optional=optional)
    args = typing.get_args(field_type)
    if typing.get_origin(field_type) is Literal and all(type(a) is str for a in args):
        return _Quick(_LITERAL, frozenset(args), optional)
    if (
        typing.get_origin(field_type) is tuple
        and args[-1:] == (Ellipsis,)
        and typing.get_origin(args[0]) is Literal
        and all(type(a) is str for a in typing.get_args(args[0]))
    ):
        return _Quick(_LITERALS, frozenset(typing.get_args(args[0])), optional)
    return None


MISSING = object()  # a column's value for a table that left out a field with no default


@functools.cache
def _quick_fields(cls: type) -> tuple[dict[str, _Quick], frozenset[str]] | None:
    """Each field's check for quick structuring, and the required fields; None when
    ``cls`` has a field quick structuring cannot check."""
    types_ = _field_types(cls)
    fields = {}
    required = set()
    for field in _checked_fields(cls):
        if not field.init or isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            return None
        quick = _quick_field(types_[field.name])
        if quick is None:
            return None
        fields[field.name] = quick
        if field.default is attrs.NOTHING:
            required.add(field.name)
    return fields, frozenset(required)


def column_defaults(cls: type) -> dict[str, Any]:
    """Each field's value where a table leaves it out: its default, or :data:`MISSING`."""
    return {
        field.name: MISSING if field.default is attrs.NOTHING else field.default
        for field in _checked_fields(cls)
    }


def quick_columns(
    cls: type,
    columns: dict[str, list],
    count: int,
    with_object: frozenset[str] = frozenset(),
    column_checks: Mapping[Callable, Callable[[list], bool]] | None = None,
) -> dict[str, list] | None:
    """``columns`` (a list of ``count`` plain values per field; a table that left a field
    out holds its :func:`column_defaults` value) as the values ``count`` objects of ``cls``
    would hold, or None when any value is wrong.

    The same checks as :func:`quick_structurer`, a column at a time: types by the set of
    types a column holds, vocabularies by its distinct values, converters and validators
    once per distinct value. A validator that reads other fields of the object (those
    named in ``with_object``) is called once per row with them. ``column_checks`` gives
    for a validator a check of a whole column that is True when every value passes it.
    Anything wrong is left to :func:`structure`, table by table, which words the problems.
    """
    specs = _quick_fields(cls)
    if specs is None or not columns.keys() <= specs[0].keys():
        return None
    fields, _required = specs
    defaults = column_defaults(cls)
    out: dict[str, list] = {}
    for field in _checked_fields(cls):
        name, quick = field.name, fields[field.name]
        values = columns.get(name)
        if values is None:
            default = defaults[name]
            if default is MISSING:
                return None
            values = [default] * count
        elif len(values) != count:
            return None
        kinds = set(map(type, values))
        if quick.optional:
            kinds.discard(type(None))
        kind = quick.kind
        if kind is str or kind is int or kind is bool:
            if not kinds <= {kind}:
                return None
        elif kind is float:
            if not kinds <= {int, float}:
                return None
            if int in kinds:
                values = [float(v) if type(v) is int else v for v in values]
        elif kind is _LITERAL:
            if not kinds <= {str} or not set(values) - {None} <= quick.allowed:
                return None
        else:  # _LITERALS: each value a list of words of the vocabulary, made a tuple
            if not kinds <= {list, tuple}:
                return None
            made: dict = {}
            listed = []
            for value in values:
                if value is not None:
                    key = tuple(value)
                    try:
                        value = made.get(key)
                    except TypeError:  # an item that is a list or a table: worded by structure
                        return None
                    if value is None:
                        if not all(type(v) is str and v in quick.allowed for v in key):
                            return None
                        value = made[key] = key
                listed.append(value)
            values = listed
        if field.converter is not None:
            converted: dict = {}
            try:
                values = [
                    converted[v] if v in converted else converted.setdefault(v, field.converter(v))
                    for v in values
                ]
            except Exception:  # noqa: BLE001 - structure() words it
                return None
        out[name] = values
    for field in _checked_fields(cls):
        if field.validator is None:
            continue
        values = out[field.name]
        check_all = column_checks.get(field.validator) if column_checks else None
        if check_all is not None and check_all(values):
            continue
        try:
            if field.name in with_object:
                for row, value in enumerate(values):
                    if value is not None:
                        field.validator(_Row(out, row), field, value)
            else:
                for value in set(values) - {None}:
                    field.validator(None, field, value)
        except Exception:  # noqa: BLE001 - a validator's complaint: structure() words it
            return None
    return out


class _Row:
    """One row of columns read as an object's fields, for a validator that reads them."""

    __slots__ = ("_columns", "_row")

    def __init__(self, columns: dict[str, list], row: int):
        self._columns, self._row = columns, row

    def __getattr__(self, name: str):
        try:
            return self._columns[name][self._row]
        except KeyError:
            raise AttributeError(name) from None


@functools.cache
def quick_structurer(cls: type) -> Callable[[Any], Any] | None:
    """A function building ``cls`` from a table of plain values when nothing in it is
    wrong, and returning None otherwise; None when ``cls`` has a field it cannot check.

    A catalog is thousands of tables of the same flat shape, nearly always right: cattrs'
    structuring and the separate validation pass took most of reading one. This accepts
    only what :func:`structure` accepts (exact types, the same vocabularies, the class's
    own validators run by its ``__init__``) and gives the same object; anything else, it
    leaves to :func:`structure`, the one place that words the problems.
    """
    specs = _quick_fields(cls)
    if specs is None:
        return None
    fields, required_names = specs

    def build(data: Any):
        if type(data) is not dict or not required_names <= data.keys():
            return None
        values = {}
        for name, value in data.items():
            quick = fields.get(name)
            if quick is None:
                return None
            kind = quick.kind
            if value is None:
                if not quick.optional:
                    return None
            elif kind is str or kind is int or kind is bool:
                if type(value) is not kind:  # bool is not an int here, as in _strict
                    return None
            elif kind is float:
                if type(value) is int:
                    value = float(value)
                elif type(value) is not float:
                    return None
            elif kind is _LITERAL:
                if type(value) is not str or value not in quick.allowed:
                    return None
            else:  # _LITERALS
                if type(value) is not list and type(value) is not tuple:
                    return None
                for item in value:
                    if type(item) is not str or item not in quick.allowed:
                        return None
                value = tuple(value)
            values[name] = value
        try:
            return cls(**values)
        except Exception:  # noqa: BLE001 - a validator's complaint: structure() words it
            return None

    return build


def problems_from(
    exc: BaseException,
    *,
    file: str,
    base: Path = (),
    locate: Callable[[Path], int | None] = lambda path: None,
    subject: str = "",
) -> list[Problem]:
    found = _problems_of(exc, base, None)
    # Required fields missing from a table show up as TypeErrors from __init__.
    problems = []
    for path, message in found:
        problems.append(
            Problem(
                file=file,
                message=message,
                field=format_path(path),
                line=locate(path),
                subject=subject,
            )
        )
    return problems


def unstructure(obj: Any) -> Any:
    return converter.unstructure(obj)


__all__ = ["converter", "structure", "unstructure", "problems_from", "format_path", "Step1"]
