"""Container image, compose file, Kubernetes manifests and Grafana provisioning, validated.

No container engine runs here: the compose file goes through the real `docker compose config`,
the manifests through Kubernetes' own JSON schemas (kubernetes-validate), the rest through
checks of what each file promises.
"""

import json
import os
import re
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from packaging.requirements import Requirement

from streams.settings import Settings

ROOT = Path(__file__).parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
KUBERNETES_VERSION = "1.31.0"


def compose_config(*overrides: str, **env: str) -> subprocess.CompletedProcess[str]:
    docker_config = ROOT / ".cache" / "docker"
    assert (docker_config / "cli-plugins" / "docker-compose").exists(), (
        "run deploy/tools/install.sh"
    )
    return subprocess.run(
        [
            *("docker", "compose", "-f", str(DEPLOY / "compose.yaml")),
            *(arg for name in overrides for arg in ("-f", str(DEPLOY / name))),
            *("config", "--format", "json"),
        ],
        env={"PATH": os.environ["PATH"], "DOCKER_CONFIG": str(docker_config), **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_compose_file_is_valid_and_runs_the_whole_system() -> None:
    done = compose_config(
        AGENT_ASSIST_CALLER_SALT="salt",
        AGENT_ASSIST_DESKTOP_SECRET="key",
        AGENT_ASSIST_INGEST_API_KEYS="keys",
    )
    assert done.returncode == 0, done.stderr
    services = json.loads(done.stdout)["services"]
    assert set(services) == {
        "kafka",
        "topics",
        "detection-worker",
        "speech-worker",
        "desktop",
        "ingest",
        "prometheus",
        "grafana",
    }
    assert services["detection-worker"]["deploy"]["replicas"] == 2
    assert services["speech-worker"]["command"] == ["asr-worker"]
    for name in ("detection-worker", "speech-worker", "desktop", "ingest"):
        depends = services[name]["depends_on"]
        assert depends["topics"]["condition"] == "service_completed_successfully"
    for service in services.values():
        for volume in service.get("volumes", []):
            if volume["type"] == "bind" and volume["target"] != "/models/vosk":
                assert Path(volume["source"]).exists(), volume["source"]


def test_compose_refuses_to_start_without_its_secrets() -> None:
    secrets = {
        "AGENT_ASSIST_CALLER_SALT": "salt",
        "AGENT_ASSIST_DESKTOP_SECRET": "key",
        "AGENT_ASSIST_INGEST_API_KEYS": "keys",
    }
    for missing in secrets:
        refused = compose_config(**{k: v for k, v in secrets.items() if k != missing})
        assert refused.returncode != 0 and missing in refused.stderr


def test_secure_compose_logs_each_process_in_as_its_own_user(tmp_path: Path) -> None:
    """The SASL_SSL override: no bundled broker, each service its user and its password file."""
    users = ("admin", "detection", "speech", "desktop", "producer")
    for user in users:
        (tmp_path / f"{user}.password").write_text(f"pw-{user}\n")
    (tmp_path / "ca.pem").write_text("ca")
    done = compose_config(
        "compose.secure.yaml",
        AGENT_ASSIST_CALLER_SALT="salt",
        AGENT_ASSIST_DESKTOP_SECRET="key",
        AGENT_ASSIST_INGEST_API_KEYS="keys",
        KAFKA_BOOTSTRAP="broker:9094",
        KAFKA_CA_FILE=str(tmp_path / "ca.pem"),
        KAFKA_SECRETS_DIR=str(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    project = json.loads(done.stdout)
    services, secrets = project["services"], project["secrets"]
    assert "kafka" not in services
    expected = {
        "topics": "admin",
        "acls": "admin",
        "detection-worker": "detection",
        "speech-worker": "speech",
        "desktop": "desktop",
        "ingest": "producer",
    }
    for name, user in expected.items():
        service = services[name]
        env = service["environment"]
        assert env["AGENT_ASSIST_SECURITY_PROTOCOL"] == "SASL_SSL", name
        assert env["AGENT_ASSIST_KAFKA_BOOTSTRAP"] == "broker:9094", name
        assert env["AGENT_ASSIST_SASL_USERNAME"] == user, name
        mounted = {m["target"]: secrets[m["source"]]["file"] for m in service["secrets"]}
        password = Path(mounted["kafka_password"]).read_text().strip()
        assert password == f"pw-{user}", name
        assert env["AGENT_ASSIST_SASL_PASSWORD_FILE"] == "/run/secrets/kafka_password"
        assert "kafka" not in service.get("depends_on", {}), name
    settings = Settings(sasl_password_file=tmp_path / "speech.password")
    assert settings.sasl_password and settings.sasl_password.get_secret_value() == "pw-speech"


def k8s_documents() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.name, doc)
        for path in sorted(K8S.glob("*.yaml"))
        if path.name != "kustomization.yaml"
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    ]


@pytest.mark.parametrize("name,doc", k8s_documents(), ids=lambda v: v if isinstance(v, str) else "")
def test_manifest_matches_the_kubernetes_schema(name: str, doc: dict[str, Any]) -> None:
    kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    files = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == files


def test_workers_have_probes_resources_a_budget_and_time_to_stop() -> None:
    docs = [doc for _, doc in k8s_documents()]
    deployments = [d for d in docs if d["kind"] == "Deployment"]
    budgets = [d for d in docs if d["kind"] == "PodDisruptionBudget"]
    names = {d["metadata"]["name"] for d in deployments}
    assert names == {"detection-worker", "speech-worker", "desktop-gateway", "ingest"}
    for deployment in deployments:
        pod = deployment["spec"]["template"]["spec"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        [container] = pod["containers"]
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["terminationGracePeriodSeconds"] > Settings().shutdown_timeout_s
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        assert any(b["spec"]["selector"]["matchLabels"].items() <= labels.items() for b in budgets)


def test_every_kafka_client_logs_in_as_its_own_user_over_tls() -> None:
    """SASL_SSL from the shared settings; each kind of process its own credentials Secret and
    the brokers' CA mounted where the settings say."""
    docs = [doc for _, doc in k8s_documents()]
    [config] = [d["data"] for d in docs if d["kind"] == "ConfigMap"]
    assert config["AGENT_ASSIST_SECURITY_PROTOCOL"] == "SASL_SSL"
    assert config["AGENT_ASSIST_SASL_MECHANISM"].startswith("SCRAM-")
    users: dict[str, str] = {}
    for doc in docs:
        if doc["kind"] not in ("Deployment", "Job"):
            continue
        pod = doc["spec"]["template"]["spec"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        for container in pod.get("initContainers", []) + pod["containers"]:
            env = {e["name"]: e for e in container["env"]}
            secret = env["AGENT_ASSIST_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"]
            assert env["AGENT_ASSIST_SASL_USERNAME"]["valueFrom"]["secretKeyRef"]["name"] == secret
            users.setdefault(doc["metadata"]["name"], secret)
            assert users[doc["metadata"]["name"]] == secret
            [mount] = [
                m
                for m in container["volumeMounts"]
                if config["AGENT_ASSIST_SSL_CAFILE"].startswith(m["mountPath"] + "/")
            ]
            assert volumes[mount["name"]]["secret"]["secretName"] == "agent-assist-kafka-ca"
    assert len(users) == 5 and len(set(users.values())) == 5, users


def test_grafana_provisioning_points_at_the_dashboards_and_the_datasource() -> None:
    provisioning = DEPLOY / "grafana" / "provisioning"
    [source] = yaml.safe_load((provisioning / "datasources" / "prometheus.yaml").read_text())[
        "datasources"
    ]
    [provider] = yaml.safe_load((provisioning / "dashboards" / "agent-assist.yaml").read_text())[
        "providers"
    ]
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./grafana/dashboards:{provider['options']['path']}:ro" in mounts
    dashboards = sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))
    assert [d.name for d in dashboards] == ["ops.json", "supervisor.json"]
    for path in dashboards:
        dashboard = json.loads(path.read_text())
        ids = [panel["id"] for panel in dashboard["panels"]]
        assert len(ids) == len(set(ids)), f"{path.name}: duplicate panel ids"
        for panel in dashboard["panels"]:
            for target in [panel, *panel["targets"]]:
                assert target["datasource"]["uid"] == source["uid"], (path.name, panel["title"])


def test_image_is_multi_stage_slim_non_root_and_pinned() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    base = re.search(r"ARG PYTHON_IMAGE=(\S+)", dockerfile)
    assert base and re.fullmatch(r"python:3\.11\.\d+-slim-\w+", base.group(1))
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) == 2
    assert re.search(r"^USER 10001:10001$", dockerfile, re.M)
    assert "AGENT_ASSIST_VOSK_MODEL=/models/vosk" in dockerfile
    assert "pip install --no-deps -r requirements.lock" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".cache", ".git", "tests"} <= set(ignored)


def test_lock_file_pins_versions_that_satisfy_pyproject() -> None:
    lines = (DEPLOY / "requirements.lock").read_text().splitlines()
    pins = dict(line.split("==") for line in lines if line and not line.startswith("#"))
    pins = {name.lower().replace("_", "-"): version for name, version in pins.items()}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = project["dependencies"] + project["optional-dependencies"]["streams"]
    for line in runtime:
        requirement = Requirement(line)
        name = requirement.name.lower()
        assert name in pins, f"{name} is not pinned in deploy/requirements.lock"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} vs {line}"
