"""Reading seed YAML files, keeping the line of every mapping and refusing duplicate keys.

PyYAML silently keeps the last of two equal keys in a mapping; a seed file with a key written
twice would then lose a fact without anyone noticing, so the reader reports it instead.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from monographs.seeding.errors import SeedError


class LineMapping(dict):
    """A YAML mapping that remembers the line it starts on and the line of each key."""

    line: int = 0

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


# The C loader (libyaml) when PyYAML has it: the same results, several times faster.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SeedYamlLoader(_BaseLoader):
    def __init__(self, stream) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[Any, int, int]] = []


def _construct_mapping(loader: _SeedYamlLoader, node: yaml.MappingNode) -> LineMapping:
    loader.flatten_mapping(node)
    mapping = LineMapping()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be plain text", key_node.start_mark
            )
        if key in mapping:
            loader.duplicate_keys.append((key, line, mapping.key_lines[key]))
            continue
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = line
    return mapping


_SeedYamlLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class WrittenFloat(float):
    """A YAML float that remembers how it was written: 7.50 keeps its trailing zero."""

    text: str = ""


def _construct_float(loader: _SeedYamlLoader, node: yaml.ScalarNode) -> float:
    number = WrittenFloat(loader.construct_yaml_float(node))
    number.text = node.value
    return number


_SeedYamlLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)


@dataclass
class SeedFile:
    """One seed file as read: its display name, its id (which owns its rows) and its data."""

    path: Path
    name: str
    file_id: str
    data: LineMapping = field(default_factory=LineMapping)


def seed_file_identity(*, path: Path, seeds_dir: Path | None = None) -> tuple[str, str]:
    """The display name and the owning id of a seed file.

    Files under seeds/ are named relative to it (vocabulary/targets.yaml owns rows keyed
    'vocabulary/targets:...'); files elsewhere, such as a test's temporary file, by their stem.
    """
    seeds_dir = (seeds_dir or Path(settings.SEEDS_DIR)).resolve()
    resolved = path.resolve()
    try:
        relative = resolved.relative_to(seeds_dir)
    except ValueError:
        return str(path), path.stem
    return relative.as_posix(), relative.with_suffix("").as_posix()


def seed_paths_collect(
    *, paths: list[Path] | None = None, seeds_dir: Path | None = None
) -> list[Path]:
    """The YAML files to read: the given files and directories, or every file under seeds/."""
    seeds_dir = seeds_dir or Path(settings.SEEDS_DIR)
    found: list[Path] = []
    for path in paths or [seeds_dir]:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.yaml") if p.is_file()))
            found.extend(sorted(p for p in path.rglob("*.yml") if p.is_file()))
        else:
            found.append(path)
    unique: dict[Path, Path] = {}
    for path in found:
        unique.setdefault(path.resolve(), path)
    return sorted(unique.values(), key=lambda p: seed_file_identity(path=p, seeds_dir=seeds_dir)[0])


def seed_file_read(
    *, path: Path, seeds_dir: Path | None = None
) -> tuple[SeedFile, list[SeedError]]:
    """Parse one file; syntax errors and duplicate keys come back as errors with their line."""
    name, file_id = seed_file_identity(path=path, seeds_dir=seeds_dir)
    seed_file = SeedFile(path=path, name=name, file_id=file_id)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return seed_file, [
            SeedError(name, None, "", "", "no such file: check the path (files live in seeds/).")
        ]
    except UnicodeDecodeError as error:
        return seed_file, [
            SeedError(name, None, "", "", f"is not UTF-8 text ({error.reason}): save it as UTF-8.")
        ]
    loader = _SeedYamlLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else None
        problem = " ".join(p for p in (error.context, error.problem) if p)
        return seed_file, [
            SeedError(
                name,
                line,
                "",
                "",
                f"is not valid YAML ({problem}): fix the syntax near this line "
                "(indentation, a missing colon, or an unclosed quote or bracket).",
            )
        ]
    except yaml.YAMLError as error:
        return seed_file, [SeedError(name, None, "", "", f"is not valid YAML ({error}).")]
    finally:
        loader.dispose()
    errors = [
        SeedError(
            name,
            line,
            "",
            str(key),
            f"the key '{key}' appears twice in the same mapping (first on line {first}): "
            "keep one of them, since YAML would silently drop the other.",
        )
        for key, line, first in loader.duplicate_keys
    ]
    if data is None:
        data = LineMapping()
    if not isinstance(data, LineMapping):
        errors.append(
            SeedError(name, 1, "", "", "must be a mapping with a 'source' block and record lists.")
        )
        data = LineMapping()
    seed_file.data = data
    return seed_file, errors
