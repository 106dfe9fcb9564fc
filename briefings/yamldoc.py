"""Safe YAML loading with line numbers, shared by config.yaml and front matter.

Only the safe loader is ever used, so tags like `!!python/object/apply` are
refused, never executed. Line numbers are looked up only when a value is
wrong, so the fast path stays a single C-accelerated load.
"""
from __future__ import annotations

import yaml

from .errors import SiteError, SiteErrors

class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader, except that an impossible date (`2023-02-30`) stays text
    instead of raising a bare ValueError: the caller then reports it at its line."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


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
        raise SiteErrors([SiteError(path, line, problem, hint)]) from None
    except yaml.YAMLError as exc:
        raise SiteErrors([SiteError(path, first_line, f"invalid YAML: {exc}",
                                    "check quoting, indentation and colons")]) from None


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
