from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from flaskguard.config import (
    RULE_ID_PATTERN,
    Config,
    ConfigError,
    apply_overrides,
    load_config,
)
from flaskguard.findings import Confidence, Severity


def write(root: Path, text: str) -> Path:
    path = root / "pyproject.toml"
    path.write_text(text, encoding="utf-8")
    return path


def load(root: Path, body: str) -> Config:
    write(root, "[tool.flaskguard]\n" + body + "\n")
    return load_config(root)


def load_error(root: Path, body: str) -> str:
    with pytest.raises(ConfigError) as info:
        load(root, body)
    return str(info.value)


# --- defaults and absent configuration ---------------------------------------------------


def test_defaults() -> None:
    config = Config()
    assert config.select == ()
    assert config.ignore == ()
    assert config.exclude is None
    assert config.extend_exclude == ()
    assert config.force_exclude is False
    assert config.respect_gitignore is True
    assert config.fail_on is Severity.LOW
    assert config.min_confidence is Confidence.LOW
    assert config.per_path_ignores == ()
    assert config.max_file_size == 10 * 1024 * 1024
    assert config.source is None


def test_no_pyproject_gives_defaults(tmp_path: Path) -> None:
    assert load_config(tmp_path) == Config()


def test_pyproject_without_table_gives_defaults(tmp_path: Path) -> None:
    write(tmp_path, '[project]\nname = "x"\n\n[tool.ruff]\nline-length = 100\n')
    assert load_config(tmp_path) == Config()


def test_empty_table_gives_defaults_with_source(tmp_path: Path) -> None:
    path = write(tmp_path, "[tool.flaskguard]\n")
    assert load_config(tmp_path) == Config(source=str(path))


def test_tool_flaskguard_not_a_table(tmp_path: Path) -> None:
    write(tmp_path, "[tool]\nflaskguard = 1\n")
    with pytest.raises(ConfigError, match=r"\[tool.flaskguard\] must be a table, got an integer"):
        load_config(tmp_path)


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'\xef\xbb\xbf[tool.flaskguard]\nselect = ["FG1"]\n')
    assert load_config(tmp_path).select == ("FG1",)


# --- each key ------------------------------------------------------------------------------


def test_select_and_ignore_are_normalised(tmp_path: Path) -> None:
    config = load(tmp_path, 'select = ["fg1", "FG2", "all"]\nignore = ["Fg100", "FG"]')
    assert config.select == ("FG1", "FG2", "ALL")
    assert config.ignore == ("FG100", "FG")


def test_exclude_and_extend_exclude(tmp_path: Path) -> None:
    config = load(tmp_path, 'exclude = ["build/", "!build/keep.py"]\nextend-exclude = ["*.gen.py"]')
    assert config.exclude == ("build/", "!build/keep.py")
    assert config.extend_exclude == ("*.gen.py",)


def test_empty_exclude_disables_default_excludes(tmp_path: Path) -> None:
    assert load(tmp_path, "exclude = []").exclude == ()


def test_booleans(tmp_path: Path) -> None:
    config = load(tmp_path, "force-exclude = true\nrespect-gitignore = false")
    assert config.force_exclude is True
    assert config.respect_gitignore is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("critical", Severity.CRITICAL),
        ("high", Severity.HIGH),
        ("medium", Severity.MEDIUM),
        ("low", Severity.LOW),
        ("info", Severity.INFO),
        ("HIGH", Severity.HIGH),
    ],
)
def test_fail_on(tmp_path: Path, text: str, expected: Severity) -> None:
    assert load(tmp_path, f'fail-on = "{text}"').fail_on is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("high", Confidence.HIGH), ("medium", Confidence.MEDIUM), ("low", Confidence.LOW)],
)
def test_min_confidence(tmp_path: Path, text: str, expected: Confidence) -> None:
    assert load(tmp_path, f'min-confidence = "{text}"').min_confidence is expected


def test_per_path_ignores(tmp_path: Path) -> None:
    config = load(
        tmp_path,
        '[tool.flaskguard.per-path-ignores]\n"tests/**" = ["fg2", "FG101"]\n"**/test_*.py" = ["ALL"]',
    )
    assert config.per_path_ignores == (("tests/**", ("FG2", "FG101")), ("**/test_*.py", ("ALL",)))


def test_max_file_size(tmp_path: Path) -> None:
    assert load(tmp_path, "max-file-size = 1024").max_file_size == 1024


def test_source_is_the_pyproject_path(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    assert load(tmp_path, 'select = ["FG1"]').source == str(path)


def test_rule_id_pattern() -> None:
    for good in ("FG", "FG1", "FG10", "FG100", "ALL"):
        assert RULE_ID_PATTERN.fullmatch(good)
    for bad in ("XYZ1", "FG1000", "FGA", "F", "", "ALL1", "fg1"):
        assert not RULE_ID_PATTERN.fullmatch(bad)


# --- errors --------------------------------------------------------------------------------


def test_unknown_key_suggests_closest_and_lists_valid_keys(tmp_path: Path) -> None:
    message = load_error(tmp_path, 'selct = ["FG1"]')
    assert str(tmp_path / "pyproject.toml") in message
    assert "unknown key 'selct'" in message
    assert "Did you mean 'select'?" in message
    for key in (
        "select",
        "ignore",
        "exclude",
        "extend-exclude",
        "force-exclude",
        "respect-gitignore",
        "fail-on",
        "min-confidence",
        "per-path-ignores",
        "max-file-size",
    ):
        assert key in message


def test_snake_case_key_suggests_kebab_case(tmp_path: Path) -> None:
    assert "Did you mean 'fail-on'?" in load_error(tmp_path, 'fail_on = "high"')


def test_unknown_key_without_close_match(tmp_path: Path) -> None:
    message = load_error(tmp_path, "zzzzzz = 1")
    assert "unknown key 'zzzzzz'" in message
    assert "Did you mean" not in message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('select = "FG1"', "select must be a list of rule ids, got a string"),
        ('ignore = "FG1"', "ignore must be a list of rule ids, got a string"),
        ("select = [1]", "select must be a list of rule ids, but contains an integer: 1"),
        ('exclude = "build"', "exclude must be a list of gitignore-style patterns, got a string"),
        (
            "extend-exclude = [true]",
            "extend-exclude must be a list of gitignore-style patterns, but contains a boolean",
        ),
        ('force-exclude = "yes"', "force-exclude must be true or false, got a string"),
        ("respect-gitignore = 0", "respect-gitignore must be true or false, got an integer"),
        ("fail-on = 3", "fail-on must be a string, got an integer"),
        ("min-confidence = ['high']", "min-confidence must be a string, got an array"),
        (
            'per-path-ignores = ["tests/**"]',
            "per-path-ignores must be a table of path patterns to lists of rule ids, got an array",
        ),
        (
            'per-path-ignores = {"tests/**" = "FG1"}',
            'per-path-ignores."tests/**" must be a list of rule ids, got a string',
        ),
        (
            'max-file-size = "10MB"',
            "max-file-size must be an integer number of bytes, got a string",
        ),
        ("max-file-size = 1.5", "max-file-size must be an integer number of bytes, got a float"),
        ("max-file-size = true", "max-file-size must be an integer number of bytes, got a boolean"),
    ],
)
def test_type_errors(tmp_path: Path, body: str, expected: str) -> None:
    message = load_error(tmp_path, body)
    assert message.startswith(f"{tmp_path / 'pyproject.toml'}: [tool.flaskguard] ")
    assert expected in message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('select = ["XYZ1"]', "select: 'XYZ1' is not a rule id or prefix"),
        ('ignore = ["FG1000"]', "ignore: 'FG1000' is not a rule id or prefix"),
        (
            'per-path-ignores = {"tests/**" = ["E501"]}',
            "per-path-ignores.\"tests/**\": 'E501' is not a rule id or prefix",
        ),
        ('fail-on = "severe"', "fail-on: unknown severity 'severe' (choose from info, low,"),
        ('min-confidence = "sure"', "min-confidence: unknown confidence 'sure'"),
        ("max-file-size = 0", "max-file-size must be greater than 0, got 0"),
        ("max-file-size = -5", "max-file-size must be greater than 0, got -5"),
        ('exclude = ["foo\\\\"]', "exclude: 'foo\\\\' is not a valid gitignore-style pattern"),
        (
            'per-path-ignores = {"!tests/**" = ["FG1"]}',
            "per-path-ignores: '!tests/**' matches no path",
        ),
        ('per-path-ignores = {"" = ["FG1"]}', "per-path-ignores: '' matches no path"),
        ('per-path-ignores = {"# x" = ["FG1"]}', "per-path-ignores: '# x' matches no path"),
    ],
)
def test_bad_values(tmp_path: Path, body: str, expected: str) -> None:
    message = load_error(tmp_path, body)
    assert message.startswith(f"{tmp_path / 'pyproject.toml'}: [tool.flaskguard] ")
    assert expected in message


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[project]\nname = "x"\n\n[tool.flaskguard]\nselect = ["FG1"\nignore = []\n'
    )
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    message = str(info.value)
    assert message.startswith(f"{path}: invalid TOML: ")
    assert "line 6" in message
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


def test_undecodable_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[project]\nname = "\xff"\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml: not valid UTF-8 \(line 2\)"):
        load_config(tmp_path)


def test_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").mkdir()
    with pytest.raises(ConfigError, match=r"pyproject.toml: cannot read: "):
        load_config(tmp_path)


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX permissions, non-root"
)
def test_file_without_read_permission(tmp_path: Path) -> None:
    path = write(tmp_path, "[tool.flaskguard]\n")
    path.chmod(0)
    try:
        with pytest.raises(ConfigError, match=r"pyproject.toml: cannot read: Permission denied"):
            load_config(tmp_path)
    finally:
        path.chmod(0o644)


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_broken_symlink(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").symlink_to(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="broken symbolic link"):
        load_config(tmp_path)


# --- select / ignore semantics -------------------------------------------------------------


def test_empty_select_enables_everything() -> None:
    assert Config().rule_enabled("FG100")
    assert Config().rule_enabled("FG701")


def test_select_restricts() -> None:
    config = Config(select=("FG1",))
    assert config.rule_enabled("FG100")
    assert not config.rule_enabled("FG200")


def test_more_specific_ignore_wins() -> None:
    config = Config(select=("FG1",), ignore=("FG10",))
    assert not config.rule_enabled("FG100")
    assert not config.rule_enabled("FG109")
    assert config.rule_enabled("FG110")


def test_more_specific_select_wins() -> None:
    config = Config(select=("FG100",), ignore=("FG1",))
    assert config.rule_enabled("FG100")
    assert not config.rule_enabled("FG101")


def test_ignore_wins_on_tie() -> None:
    assert not Config(select=("FG1",), ignore=("FG1",)).rule_enabled("FG100")
    assert not Config(select=("ALL",), ignore=("ALL",)).rule_enabled("FG100")


def test_ignore_with_empty_select() -> None:
    config = Config(ignore=("FG2",))
    assert not config.rule_enabled("FG201")
    assert config.rule_enabled("FG101")
    assert not Config(ignore=("ALL",)).rule_enabled("FG101")


def test_all_is_least_specific() -> None:
    assert not Config(select=("ALL",), ignore=("FG",)).rule_enabled("FG100")
    assert Config(select=("FG",), ignore=("ALL",)).rule_enabled("FG100")


# --- per-path ignores ----------------------------------------------------------------------


def test_per_path_ignores_directory_glob(tmp_path: Path) -> None:
    config = load(tmp_path, '[tool.flaskguard.per-path-ignores]\n"tests/**" = ["FG2", "FG101"]')
    assert config.rule_ignored_for_path("FG201", "tests/test_app.py")
    assert config.rule_ignored_for_path("FG101", "tests/unit/conftest.py")
    assert not config.rule_ignored_for_path("FG102", "tests/test_app.py")
    assert not config.rule_ignored_for_path("FG201", "app/tests.py")
    assert not config.rule_ignored_for_path("FG201", "src/tests/test_app.py")


def test_per_path_ignores_any_depth_glob() -> None:
    config = Config(per_path_ignores=(("**/test_*.py", ("ALL",)),))
    assert config.rule_ignored_for_path("FG301", "test_app.py")
    assert config.rule_ignored_for_path("FG301", "pkg/sub/test_views.py")
    assert not config.rule_ignored_for_path("FG301", "pkg/views.py")


def test_no_per_path_ignores() -> None:
    assert not Config().rule_ignored_for_path("FG100", "tests/test_app.py")


# --- overrides -----------------------------------------------------------------------------


def test_overrides_replace_config_values(tmp_path: Path) -> None:
    base = load(tmp_path, 'select = ["FG1"]\nfail-on = "high"\nmax-file-size = 100')
    config = apply_overrides(
        base,
        select=["fg2"],
        fail_on="critical",
        min_confidence=Confidence.HIGH,
        respect_gitignore=False,
        exclude=[],
        per_path_ignores={"tests/**": ["FG1"]},
    )
    assert config.select == ("FG2",)
    assert config.fail_on is Severity.CRITICAL
    assert config.min_confidence is Confidence.HIGH
    assert config.respect_gitignore is False
    assert config.exclude == ()
    assert config.per_path_ignores == (("tests/**", ("FG1",)),)
    assert config.max_file_size == 100
    assert config.source == base.source


def test_overrides_none_means_not_given() -> None:
    base = Config(select=("FG1",), fail_on=Severity.HIGH)
    assert apply_overrides(base, select=None, fail_on=None, force_exclude=None) == base


def test_overrides_accept_enum_members() -> None:
    assert apply_overrides(Config(), fail_on=Severity.INFO).fail_on is Severity.INFO


def test_override_errors_name_the_option() -> None:
    with pytest.raises(ConfigError, match=r"^command-line option --select: 'XYZ1' is not"):
        apply_overrides(Config(), select=["XYZ1"])
    with pytest.raises(ConfigError, match=r"^command-line option --fail-on: unknown severity"):
        apply_overrides(Config(), fail_on="loud")
    with pytest.raises(ConfigError, match=r"^command-line option --max-file-size must be"):
        apply_overrides(Config(), max_file_size=-1)


@pytest.mark.parametrize("name", ["source", "colour", "fail-on"])
def test_unknown_override_is_a_programming_error(name: str) -> None:
    with pytest.raises(TypeError, match="unexpected option"):
        apply_overrides(Config(), **{name: "x"})
