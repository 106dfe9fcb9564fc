"""Safe YAML loading with line numbers, shared by config.yaml and front matter.

Only the safe loader is ever used, so tags like `!!python/object/apply` are
refused, never executed. Line numbers are looked up only when a value is
wrong, so the fast path stays a single C-accelerated load.
"""
from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml

from .errors import SiteError, SiteErrors


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, except that an impossible date (`2023-02-30`) stays text
    instead of raising a bare ValueError: the caller then reports it at its line.

    A value its tag cannot read (`!!int x`, `!!bool maybe`) is a YAML error at its
    line, not a Python exception; a key written twice in one mapping is an error
    too (YAML forbids it, and PyYAML would silently keep the last one)."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> object:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError, IndexError):
            tag = node.tag.rsplit(":", 1)[-1]
            value = node.value if isinstance(node, yaml.ScalarNode) else tag
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {str(value)[:40]!r} as {tag}", node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: dict[object, int] = {}
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    key = key_node.value
                    if key in seen:
                        raise yaml.constructor.ConstructorError(
                            None, None, f"duplicate key `{key[:40]}`, first written on line "
                            f"{_LINE_MARK}{seen[key]}", key_node.start_mark)
                    seen[key] = key_node.start_mark.line
        mapping: dict[Hashable, Any] = super().construct_mapping(node, deep)
        return mapping


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LINE_MARK = "\x00line:"
"""Stands before a 0-based YAML line in a loader message; `load` makes it the file's line."""


def load(text: str, path: str, first_line: int = 1) -> object:
    """Parse YAML; a syntax error becomes a SiteError at the right line of `path`."""
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + mark.line if mark else first_line
        problem = exc.problem or "invalid YAML"
        hint = "check quoting, indentation and colons"
        if "could not determine a constructor" in str(exc):
            problem, hint = "YAML tags are not allowed", "remove the `!!` tag; write plain values"
        elif _LINE_MARK in problem:  # a duplicate key: its first line, counted in the file
            head, _, number = problem.rpartition(_LINE_MARK)
            problem, hint = f"{head}{first_line + int(number)}", "remove one of them"
        elif exc.context_mark is not None and exc.context:
            opened = first_line + exc.context_mark.line
            if "end of stream" in problem and "quoted scalar" in exc.context:
                line, problem = opened, "a quote opened on this line is never closed"
                hint = "add the closing quote, or escape quotes inside the text"
            elif opened != line:
                problem = f"{problem}, {exc.context} that starts on line {opened}"
            else:
                problem = f"{problem}, {exc.context}"
        raise SiteErrors([SiteError(path, line, problem, hint)]) from None
    except yaml.YAMLError as exc:
        raise SiteErrors([SiteError(path, first_line, f"invalid YAML: {exc}",
                                    "check quoting, indentation and colons")]) from None
    except RecursionError:
        raise SiteErrors([SiteError(path, first_line, "YAML nested too deeply",
                                    "flatten the nested lists and mappings")]) from None


def key_line(text: str, key_path: tuple[str | int, ...], first_line: int = 1) -> int | None:
    """The line where `key_path` (e.g. ('topics', 'defence', 'match')) is written."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = None
    for key in key_path:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == str(key):
                    line, node = key_node.start_mark.line, value_node
                    break
            else:
                return None if line is None else first_line + line
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line
        else:
            break
    return None if line is None else first_line + line


def dump(data: object) -> str:
    """Readable, stable YAML: keys in the given order, Unicode kept, no line wrapping."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=None, width=10**9)
