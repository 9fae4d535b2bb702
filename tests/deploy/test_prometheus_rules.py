"""Prometheus config and alert rules, checked and unit-tested by the real promtool."""

import re
import subprocess
from pathlib import Path

import yaml
from prometheus_client import CollectorRegistry

from streams.metrics import DesktopMetrics, DetectionMetrics, IngestMetrics, SpeechMetrics

DEPLOY = Path(__file__).parents[2] / "deploy"
PROMETHEUS = DEPLOY / "prometheus"


def promtool(*args: str) -> str:
    done = subprocess.run(
        ["promtool", *args], cwd=PROMETHEUS, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_config_and_rules_are_valid() -> None:
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"][0]["rules"]
    assert f"SUCCESS: {len(rules)} rules found" in promtool("check", "rules", "alerts.yml")
    assert "is valid prometheus config file syntax" in promtool("check", "config", "prometheus.yml")


def test_alert_rules_pass_their_unit_tests() -> None:
    assert "SUCCESS" in promtool("test", "rules", "alerts_test.yml")


def test_every_alert_has_a_unit_test_and_an_operations_entry() -> None:
    rules = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())
    names = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    tests = (PROMETHEUS / "alerts_test.yml").read_text()
    operations = (DEPLOY.parent / "docs" / "operations.md").read_text()
    for name in names:
        assert f"alertname: {name}" in tests, f"{name} has no promtool test"
        assert f"### {name}" in operations, f"{name} is not explained in docs/operations.md"


SERIES_SUFFIXES = {"counter": ["_total"], "gauge": [""], "histogram": ["_bucket", "_sum", "_count"]}


def defined_metrics() -> set[str]:
    """Every series name the workers, the desktop gateway and ingest can expose."""
    registries = []
    for metrics in (DetectionMetrics, SpeechMetrics, DesktopMetrics, IngestMetrics):
        registries.append(CollectorRegistry())
        metrics(registries[-1])
    families = [family for registry in registries for family in registry.collect()]
    return {f.name + suffix for f in families for suffix in SERIES_SUFFIXES[f.type]}


def test_dashboards_and_alerts_only_use_metrics_the_workers_define() -> None:
    known = defined_metrics()
    texts = [p.read_text() for p in [*DEPLOY.glob("grafana/dashboards/*.json")]]
    texts.append((PROMETHEUS / "alerts.yml").read_text())
    used = {name for text in texts for name in re.findall(r"agent_assist_\w+", text)}
    histogram_parts = {n for n in used if re.search(r"_(bucket|sum|count)$", n)}
    assert used, "no agent_assist metrics referenced"
    assert used - known == set(), f"unknown metrics: {used - known}"
    assert histogram_parts  # the latency and hold panels read histograms
