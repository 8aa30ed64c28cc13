"""What hassfest and HACS validation check, as far as it can be checked offline."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from PIL import Image
import yaml

from custom_components.moogo.binary_sensor import BINARY_SENSORS
from custom_components.moogo.button import BUTTONS
from custom_components.moogo.calendar import CALENDARS
from custom_components.moogo.number import NUMBERS
from custom_components.moogo.schedule_switch import SCHEDULE_NAME_KEYS
from custom_components.moogo.select import concentrate_description
from custom_components.moogo.sensor import SENSORS
from custom_components.moogo.switch import SWITCHES
from custom_components.moogo.update import UPDATES

REPO = Path(__file__).resolve().parents[1]
INTEGRATION = REPO / "custom_components" / "moogo"
# Abort reasons Home Assistant's flow helpers answer in its own domain.
CENTRAL_ABORTS = {"reauth_successful", "reconfigure_successful", "already_in_progress"}

# Every rule of Home Assistant's Integration Quality Scale, bronze to platinum.
QUALITY_SCALE_RULES = {
    # bronze
    "action-setup", "appropriate-polling", "brands", "common-modules",
    "config-flow-test-coverage", "config-flow", "dependency-transparency",
    "docs-actions", "docs-conditions", "docs-high-level-description",
    "docs-installation-instructions", "docs-removal-instructions", "docs-triggers",
    "entity-event-setup", "entity-unique-id",
    "has-entity-name", "runtime-data", "test-before-configure", "test-before-setup",
    "unique-config-entry",
    # silver
    "action-exceptions", "config-entry-unloading", "docs-configuration-parameters",
    "docs-installation-parameters", "entity-unavailable", "integration-owner",
    "log-when-unavailable", "parallel-updates", "reauthentication-flow", "test-coverage",
    # gold
    "devices", "diagnostics", "discovery-update-info", "discovery", "docs-data-update",
    "docs-examples", "docs-known-limitations", "docs-supported-devices",
    "docs-supported-functions", "docs-troubleshooting", "docs-use-cases",
    "dynamic-devices", "entity-category", "entity-device-class",
    "entity-disabled-by-default", "entity-translations", "exception-translations",
    "icon-translations", "reconfiguration-flow", "repair-issues", "stale-devices",
    # platinum
    "async-dependency", "inject-websession", "strict-typing",
}  # fmt: skip


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def _strings() -> dict[str, Any]:
    strings: dict[str, Any] = _json(INTEGRATION / "strings.json")
    return strings


def _python_sources() -> dict[str, ast.Module]:
    return {path.name: ast.parse(path.read_text()) for path in INTEGRATION.glob("*.py")}


def _keyword_strings(keyword: str) -> set[str]:
    """String literals passed as ``keyword=`` anywhere in the integration."""
    found: set[str] = set()
    for tree in _python_sources().values():
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.keyword)
                and node.arg == keyword
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                found.add(node.value.value)
    return found


def test_manifest_keys_and_order() -> None:
    """hassfest: domain and name first, the rest sorted; required keys present."""
    manifest = _json(INTEGRATION / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == INTEGRATION.name
    for required in (
        "codeowners",
        "documentation",
        "iot_class",
        "version",
        "issue_tracker",
    ):
        assert manifest[required], required
    assert manifest["config_flow"] is True
    assert manifest["iot_class"] == "cloud_polling"
    assert manifest["integration_type"] == "hub"
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    assert manifest["requirements"] == []  # the client ships inside the integration


def test_hacs_manifest() -> None:
    """HACS and the Marketplace: keys they read, a name, a minimum HA version.

    tests/e2e/test_marketplace_validators.py runs the Marketplace's own
    validators on it as well.
    """
    hacs = _json(REPO / "hacs.json")
    assert set(hacs) <= {
        "name", "content_in_root", "zip_release", "filename", "hide_default_branch",
        "homeassistant", "hacs", "persistent_directory",
    }  # fmt: skip
    assert hacs["name"] == "Moogo"
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", hacs["homeassistant"])
    assert not hacs.get("content_in_root")


def test_release_ships_the_zip_hacs_json_names() -> None:
    """The release attaches the asset hacs.json names, for a tag equal to the version."""
    hacs = _json(REPO / "hacs.json")
    workflow = yaml.safe_load((REPO / ".github/workflows/release.yml").read_text())
    steps = "\n".join(
        step.get("run", "") for step in workflow["jobs"]["release"]["steps"]
    )
    assert hacs["zip_release"] is True
    assert hacs["filename"] == "moogo.zip"
    # The integration folder's contents at the zip's root, as both extract it.
    assert (
        'git archive --format=zip -o moogo.zip "HEAD:custom_components/moogo"' in steps
    )
    assert 'gh release upload "$GITHUB_REF_NAME" moogo.zip' in steps
    assert 'test "${GITHUB_REF_NAME#v}" = "$version"' in steps


def test_english_translation_is_strings_json() -> None:
    """A custom integration ships its English text as translations/en.json."""
    assert _json(INTEGRATION / "translations" / "en.json") == _strings()
    assert "[%key:" not in (INTEGRATION / "strings.json").read_text()


def test_entity_translation_keys_exist() -> None:
    """Every description's translation_key has a name (and icon) in the JSON files."""
    strings = _strings()["entity"]
    icons = _json(INTEGRATION / "icons.json")["entity"]
    for platform, descriptions in (
        ("binary_sensor", BINARY_SENSORS),
        ("button", BUTTONS),
        ("calendar", CALENDARS),
        ("number", NUMBERS),
        ("sensor", SENSORS),
        ("switch", SWITCHES),
        # The product list comes from the cloud: its names are not translated.
        ("select", (concentrate_description([]),)),
        ("update", UPDATES),
    ):
        keys = {d.translation_key for d in descriptions if d.translation_key}
        if platform == "switch":
            # Per-schedule switches are named by one of these keys.
            keys |= SCHEDULE_NAME_KEYS
        assert keys == set(strings[platform]), platform
        assert keys == set(icons[platform]), platform
        for description in descriptions:
            # Without a translation key, the name comes from the device class.
            assert description.translation_key or description.device_class, (
                description.key
            )
            if description.translation_key and getattr(description, "options", None):
                assert set(description.options or ()) == set(
                    strings[platform][description.translation_key]["state"]
                )


def test_exception_and_issue_translation_keys_exist() -> None:
    """Every translation_key raised in code is in strings.json."""
    strings = _strings()
    entity_keys = {key for platform in strings["entity"].values() for key in platform}
    used = _keyword_strings("translation_key") - entity_keys
    known = set(strings["exceptions"]) | set(strings["issues"])
    assert used, "the scan found no translation keys"
    assert used <= known, used - known
    # Keys defined but never raised are dead text.
    dynamic = {
        "auth_failed",
        "rate_limited",
        "throttled",
        "sign_in_deferred",
        "device_offline",
        "frost_locked",
        "communication_error",
        "unknown_error",
    }
    assert set(strings["exceptions"]) <= used | dynamic


def test_config_flow_errors_and_aborts_exist() -> None:
    """Form errors and abort reasons used by the flow have texts."""
    source = (INTEGRATION / "config_flow.py").read_text()
    strings = _strings()["config"]
    # Form errors set as {"base": key}, and the URL check's keys it returns.
    errors = set(re.findall(r'\{"base": "(\w+)"\}', source)) | set(
        re.findall(r'return "(\w+)"', source)
    )
    aborts = set(re.findall(r'reason="(\w+)"', source)) | {"already_configured"}
    assert errors == set(strings["error"])
    assert aborts <= set(strings["abort"])


def test_centrally_translated_aborts_are_not_copied() -> None:
    """HA translates these aborts itself (translation_domain homeassistant).

    Since 2026.10 the flow helpers answer them in HA's own domain, and a custom
    integration's strings cannot reference HA's, so a local copy would only
    drift; test_config_flow checks the text HA shows for them.
    """
    for path in (INTEGRATION / "strings.json", INTEGRATION / "translations/en.json"):
        aborts = _json(path)["config"]["abort"]
        assert not aborts.keys() & CENTRAL_ABORTS, path.name


def test_services_yaml_matches_strings_and_icons() -> None:
    """services.yaml, strings.json and icons.json describe the same actions and fields."""
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    strings = _strings()["services"]
    icons = _json(INTEGRATION / "icons.json")["services"]
    assert set(services) == set(strings) == set(icons)
    for name, spec in services.items():
        assert set(spec["fields"]) == set(strings[name]["fields"]), name


async def test_registered_actions_match_services_yaml(
    hass: HomeAssistant, enable_custom_integrations: None
) -> None:
    """The actions the integration registers are exactly those documented."""
    assert await async_setup_component(hass, "moogo", {})
    services = yaml.safe_load((INTEGRATION / "services.yaml").read_text())
    assert set(hass.services.async_services_for_domain("moogo")) == set(services)


def test_quality_scale_lists_every_rule() -> None:
    """quality_scale.yaml states every rule as done or exempt with a reason."""
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    assert set(rules) == QUALITY_SCALE_RULES
    for name, status in rules.items():
        if isinstance(status, dict):
            assert status["status"] == "exempt", name
            assert len(status["comment"].strip()) > 20, name
        else:
            assert status == "done", name


def test_triggers_and_conditions_are_documented() -> None:
    """docs-triggers / docs-conditions: each of ours is translated and in the README."""
    rules = yaml.safe_load((INTEGRATION / "quality_scale.yaml").read_text())["rules"]
    assert rules["docs-triggers"] == "done"
    assert rules["docs-conditions"] == "done"
    readme = (REPO / "README.md").read_text()
    strings = json.loads((INTEGRATION / "strings.json").read_text())
    for kind in ("triggers", "conditions"):
        keys = [
            key
            for key in yaml.safe_load((INTEGRATION / f"{kind}.yaml").read_text())
            if not key.startswith(".")
        ]
        assert keys, kind
        for key in keys:
            assert f"`moogo.{key}`" in readme, key
            assert strings[kind][key]["name"], key


def test_every_platform_sets_parallel_updates() -> None:
    """HA's parallel-updates rule: each platform states its concurrency."""
    for platform in (
        "binary_sensor",
        "button",
        "calendar",
        "number",
        "sensor",
        "switch",
    ):
        tree = _python_sources()[f"{platform}.py"]
        names = {
            target.id
            for node in tree.body
            if isinstance(node, ast.Assign)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        assert "PARALLEL_UPDATES" in names, platform


def test_brand_images_have_the_sizes_home_assistant_serves() -> None:
    """brand/: icon 256 and 512 square, logos 128 and 256 high, transparent.

    No dark variants: the teal drawing reads on light and dark themes alike
    (scripts/make_brand.py draws them all).
    """
    brand = INTEGRATION / "brand"
    sizes = {}
    for name in ("icon.png", "icon@2x.png", "logo.png", "logo@2x.png"):
        with Image.open(brand / name) as image:
            assert image.format == "PNG", name
            assert image.mode == "RGBA", name
            sizes[name] = image.size
    assert sizes["icon.png"] == (256, 256)
    assert sizes["icon@2x.png"] == (512, 512)
    logo_width, logo_height = sizes["logo.png"]
    assert logo_height == 128
    assert logo_width > logo_height  # a landscape wordmark, not a second icon
    assert sizes["logo@2x.png"] == (2 * logo_width, 2 * logo_height)
    assert {path.name for path in brand.iterdir()} == set(sizes)


def test_nothing_that_breaks_in_2026_12() -> None:
    """No update listener beside the flows' reload helpers; no DeviceEntry.config_entries.

    2026.12 turns an update listener next to async_update_reload_and_abort
    into an error, and reading a device's config_entries warns for custom
    integrations since 2026.10 (config_entry_id is the one to read). The
    real-HA tests fail on any such warning HA prints about us (tests/e2e).
    """
    for name, tree in _python_sources().items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute):
                continue
            assert node.attr not in {"add_update_listener", "update_listeners"}, name
            if node.attr == "config_entries":
                # hass.config_entries (the manager) is fine; a device's is not.
                owner = node.value
                assert (isinstance(owner, ast.Name) and owner.id == "hass") or (
                    isinstance(owner, ast.Attribute) and owner.attr == "hass"
                ), f"{name}:{node.lineno}"
