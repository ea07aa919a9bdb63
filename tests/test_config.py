"""Configuration: declared defaults, user overrides, and errors that name the file and key."""
import pytest

from auditor.config import declarations, defaults, load_config
from auditor.errors import ConfigError


def test_every_option_is_declared_with_help():
    for section, options in declarations().items():
        for key, spec in options.items():
            assert spec["help"] and spec["type"] in ("int", "bool", "float", "str", "list"), (section, key)


def test_user_file_overrides(tmp_path):
    f = tmp_path / "a.toml"
    f.write_text("[narrative.ratio]\nallow_truncation = false\n", encoding="utf-8")
    cfg = load_config(f)
    assert cfg["narrative.ratio"]["allow_truncation"] is False
    assert cfg["limits"] == defaults()["limits"]


@pytest.mark.parametrize("body, words", [
    ("[narrative.ratio]\nallow_truncaton = false\n", ["allow_truncaton", "a.toml"]),
    ("[nosuch]\nx = 1\n", ["nosuch"]),
    ("[limits]\nmax_input_bytes = \"big\"\n", ["max_input_bytes", "int"]),
    ("[limits\n", ["无法读取"]),
])
def test_bad_files_name_the_problem(tmp_path, body, words):
    f = tmp_path / "a.toml"
    f.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(f)
    assert all(w in str(err.value) for w in words)


def test_the_readmes_configuration_example_loads(tmp_path):
    """The README's pyproject example is a configuration this version accepts, as written."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(\[tool\.auditor.*?)```", readme, re.S).group(1)
    (tmp_path / "pyproject.toml").write_text(example, encoding="utf-8")
    from auditor.config import discover

    cfg = load_config(discover(tmp_path))
    assert cfg["rules"]["fail_on"] == "medium" and cfg["rules"]["ignore"] == ["NT004"]
    assert cfg["narrative.ratio"]["allow_truncation"] is True
