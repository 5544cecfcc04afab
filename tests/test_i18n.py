import ast
import re
import string
from pathlib import Path

from lifecircle import errors
from lifecircle.i18n import LANGUAGES, catalogue, t


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_has_both_languages_with_the_same_placeholders():
    for key, entry in catalogue().items():
        assert set(entry) == set(LANGUAGES), key
        assert entry["zh"].strip() and entry["en"].strip(), key
        assert _fields(entry["zh"]) == _fields(entry["en"]), key


def test_every_key_used_in_the_code_exists():
    src = Path(__file__).parents[1] / "src" / "lifecircle"
    used = set()
    for path in src.rglob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+\.[a-z_.]+)["']""", path.read_text("utf-8")))
    assert used, "no message keys found: the pattern is broken"
    missing = used - set(catalogue())
    assert not missing


def test_format_and_language_fallback():
    assert t("status.title", "zh", name="桃园街道") == "桃园街道 — lifecircle 项目"
    assert t("status.title", "en", name="Taoyuan") == "Taoyuan — lifecircle project"


def test_messages_built_from_names_exist():
    from lifecircle.model import RECORD_TYPES

    for kind in RECORD_TYPES:
        assert f"kind.{kind}" in catalogue()
    assert "import.compounds_from_sheet_kept" in catalogue()


# -- keys named in the code ---------------------------------------------------------------------

SRC = Path(__file__).parents[1] / "src" / "lifecircle"
KEY = re.compile(r"[a-z_]+(\.[a-z0-9_]+)+")
ERROR_KEY = re.compile(r"error(\.[a-z0-9_]+)+")
#: Modules (or module:function) whose errors are still English text; convert them to keys.
NOT_YET_KEYED: set[str] = set()


def _trees():
    for path in sorted(SRC.rglob("*.py")):
        yield path.relative_to(SRC).as_posix(), ast.parse(path.read_text("utf-8"))


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _keyed_calls():
    """(where, key, placeholder names or None) for t(key, …), Msg(key, …) and XxxError(key, …)."""
    for name, tree in _trees():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            first, callee = node.args[0], _callee(node)
            if not (callee in ("t", "Msg") or callee.endswith("Error")):
                continue
            if isinstance(first, ast.Constant) and KEY.fullmatch(str(first.value)):
                names = {k.arg for k in node.keywords}
                given = None if None in names else names
                yield f"{name}:{node.lineno}", first.value, given


def _error_key_strings():
    """Every string in the code that is an ``error.…`` key (also in dicts and conditionals)."""
    return {
        node.value
        for _, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and ERROR_KEY.fullmatch(node.value)
    }


def test_every_key_named_in_a_call_exists_with_exactly_its_placeholders():
    calls = list(_keyed_calls())
    assert len(calls) > 150, "too few keyed calls found: the pattern is broken"
    for where, key, given in calls:
        assert key in catalogue(), f"{where}: {key!r} is not in messages.toml"
        if given is not None:  # a call without **values names every placeholder
            assert given == _fields(catalogue()[key]["en"]), f"{where}: {key!r}"


def test_every_error_key_in_the_code_is_in_the_catalogue_and_every_one_there_is_used():
    in_code = _error_key_strings()
    in_catalogue = {key for key in catalogue() if key.startswith("error.")}
    assert len(in_code) > 100, "too few error keys found: the pattern is broken"
    assert sorted(in_code - in_catalogue) == [], "keys missing from messages.toml"
    assert sorted(in_catalogue - in_code) == [], "keys in messages.toml that no code uses"


def _error_classes() -> set[str]:
    """Error classes whose first argument is the message key."""
    return {
        cls.__name__
        for cls in vars(errors).values()
        if isinstance(cls, type)
        and issubclass(cls, errors.LifecircleError)
        and cls.__init__ is errors.LifecircleError.__init__
    }


def _functions_around(tree: ast.AST) -> dict[int, set[str]]:
    """id(call) → names of the functions it is written in."""
    around: dict[int, set[str]] = {}
    for func in ast.walk(tree):
        if isinstance(func, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(func):
                around.setdefault(id(node), set()).add(func.name)
    return around


def _is_key_or_localised(arg: ast.expr) -> bool:
    """A catalogue key, or text already rendered with t(key, lang, …)."""
    if isinstance(arg, ast.Constant):
        return isinstance(arg.value, str) and KEY.fullmatch(arg.value) is not None
    return isinstance(arg, ast.Call) and _callee(arg) == "t"


def test_errors_are_raised_with_a_catalogue_key_not_english_text():
    keyed = _error_classes()
    assert {"ConfigError", "InputFileError", "StoreError"} <= keyed
    texts = []
    for name, tree in _trees():
        if name in NOT_YET_KEYED:
            continue
        around = _functions_around(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and _callee(node) in keyed and node.args):
                continue
            allowed = {f"{name}:{func}" for func in around.get(id(node), ())} & NOT_YET_KEYED
            if not allowed and not _is_key_or_localised(node.args[0]):
                texts.append(f"{name}:{node.lineno}")
    assert texts == [], "raise LifecircleError(key, **values), with the text in messages.toml"


def test_an_error_renders_in_both_languages_from_one_key():
    err = errors.ConfigError("error.config.levels")
    assert str(err) == "setting 'default_building_levels' must be at least 1"
    assert err.message("zh") == "设置项 default_building_levels 至少为 1"
