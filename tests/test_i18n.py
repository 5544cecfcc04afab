import re
import string

from lifecircle.i18n import LANGUAGES, catalogue, t


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_message_has_both_languages_with_the_same_placeholders():
    for key, entry in catalogue().items():
        assert set(entry) == set(LANGUAGES), key
        assert entry["zh"].strip() and entry["en"].strip(), key
        assert _fields(entry["zh"]) == _fields(entry["en"]), key


def test_every_key_used_in_the_code_exists():
    src = __import__("pathlib").Path(__file__).parents[1] / "src" / "lifecircle"
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
