#!/usr/bin/env python3
"""Checks Herald's CRDs, plain manifests (config/) and Helm chart (charts/herald).

1. The CRDs follow the Kubernetes structural-schema rules, serve v1beta1/v1beta2/v1beta3 with
   v1beta3 as the only storage version, and have the status subresource, columns and deprecations.
2. Each CRD schema, turned into a JSON Schema, accepts the Flux guide's manifests and every field of
   config/samples, and rejects the invalid objects below (so the check can fail). Each served version
   has its own Flux release's schema (reference §2.6): each per-version rule below is tried in every
   version, and must be accepted or refused (for its field) as the reference says for that version.
3. `kubectl kustomize` renders config/default and config/flux; hack/chart-render renders the chart
   with each file in hack/chart-values; every rendered object is validated against the Kubernetes
   OpenAPI schemas (kubernetes-validate, strict: unknown fields fail) or, for Alert/Provider, the CRDs.
4. The chart's default Deployment runs Herald with the same flags and values as config/default.

Usage: check-manifests.py CHART_RENDER_BINARY   (run from the repository root)
"""

import copy
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import kubernetes_validate
import yaml

KUBERNETES_VERSION = "1.25.0"  # the chart's kubeVersion floor; the newest is checked too
NEWEST_KUBERNETES_VERSION = kubernetes_validate.latest_version()
GROUP = "notification.toolkit.fluxcd.io"
VERSIONS = ["v1beta1", "v1beta2", "v1beta3"]
CRD_FILES = sorted(Path("config/crd/bases").glob("*.yaml"))
failures: list[str] = []


def fail(message: str) -> None:
    failures.append(message)
    print(f"FAIL {message}")


def documents(text: str) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(text) if doc]


# 1. Structural schema rules (apiextensions.k8s.io/v1, "Specifying a structural schema").

def check_structural(node: dict, path: str, in_metadata: bool = False) -> None:
    if not isinstance(node, dict):
        fail(f"{path}: not an object")
        return
    for forbidden in ("$ref", "definitions", "dependencies", "id", "$schema", "patternProperties"):
        if forbidden in node:
            fail(f"{path}: {forbidden} is not allowed in a structural schema")
    extension = node.get("x-kubernetes-int-or-string") or node.get("x-kubernetes-preserve-unknown-fields")
    if "type" not in node and not extension:
        fail(f"{path}: every node needs a type")
    if node.get("type") == "object" and "properties" in node and "additionalProperties" in node:
        fail(f"{path}: properties and additionalProperties are mutually exclusive")
    if node.get("additionalProperties") is False:
        fail(f"{path}: additionalProperties: false is not allowed")
    if "default" in node and node.get("type") == "object":
        try:
            jsonschema.validate(node["default"], to_json_schema(node))
        except jsonschema.ValidationError as error:
            fail(f"{path}: default does not validate: {error.message}")
    if node.get("x-kubernetes-list-type") == "map":
        items = node.get("items", {})
        for key in node.get("x-kubernetes-list-map-keys", []):
            if key not in items.get("required", []) and "default" not in items.get("properties", {}).get(key, {}):
                fail(f"{path}: list-map key {key} must be required or defaulted")
    for name, child in node.get("properties", {}).items():
        check_structural(child, f"{path}.{name}")
    if isinstance(node.get("items"), dict):
        check_structural(node["items"], f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict):
        check_structural(node["additionalProperties"], f"{path}{{}}")


def check_crd(crd: dict, source: Path) -> None:
    spec = crd["spec"]
    name = f"{spec['names']['plural']}.{spec['group']}"
    if crd["metadata"]["name"] != name:
        fail(f"{source}: metadata.name must be {name}")
    if spec["group"] != GROUP or spec["scope"] != "Namespaced":
        fail(f"{source}: group must be {GROUP}, scope Namespaced")
    if spec.get("conversion", {}).get("strategy") != "None":
        fail(f"{source}: conversion must be None")
    versions = {version["name"]: version for version in spec["versions"]}
    if sorted(versions) != sorted(VERSIONS):
        fail(f"{source}: serves {sorted(versions)}, expected {VERSIONS}")
    storage = [version["name"] for version in spec["versions"] if version.get("storage")]
    if storage != ["v1beta3"]:
        fail(f"{source}: storage versions {storage}, expected only v1beta3")
    for version in spec["versions"]:
        where = f"{source} {version['name']}"
        if not version.get("served"):
            fail(f"{where}: not served")
        warning = f"{version['name']} {spec['names']['kind']} is deprecated, upgrade to v1beta3"
        if version["name"] == "v1beta3":
            if version.get("deprecated") or "deprecationWarning" in version:
                fail(f"{where}: v1beta3 is not deprecated")
        elif not version.get("deprecated") or version.get("deprecationWarning") != warning:
            fail(f"{where}: needs deprecated: true and deprecationWarning {warning!r}")
        if version.get("subresources") != {"status": {}}:
            fail(f"{where}: needs the status subresource")
        columns = [column["name"] for column in version.get("additionalPrinterColumns", [])]
        # Providers also show the LastDelivery condition Herald writes.
        expected = ["Ready", "Status", "Last Delivery", "Age"] if spec["names"]["kind"] == "Provider" else ["Ready", "Status", "Age"]
        if columns != expected:
            fail(f"{where}: printer columns {columns}, expected {', '.join(expected)}")
        schema = version["schema"]["openAPIV3Schema"]
        check_structural(schema, f"{where} openAPIV3Schema")
        metadata = schema.get("properties", {}).get("metadata", {})
        if set(metadata) - {"type", "description"}:
            fail(f"{where}: metadata may only be typed (name/generateName restrictions aside)")
        status = schema["properties"].get("status", {}).get("properties", {})
        if "conditions" not in status or "observedGeneration" not in status:
            fail(f"{where}: status needs conditions and observedGeneration")


# 2. JSON Schema from a CRD schema: the OpenAPI v3 subset CRDs allow is JSON Schema draft 4 plus
# x-kubernetes-* keys (dropped here) and `nullable` (unused).

def to_json_schema(node):
    if isinstance(node, dict):
        return {key: to_json_schema(value) for key, value in node.items() if not key.startswith("x-kubernetes-")}
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    return node


def object_schema(crd: dict, version: str) -> dict:
    for served in crd["spec"]["versions"]:
        if served["name"] == version:
            schema = to_json_schema(served["schema"]["openAPIV3Schema"])
            schema["properties"]["apiVersion"] = {"const": f"{GROUP}/{version}"}
            schema["properties"]["kind"] = {"const": crd["spec"]["names"]["kind"]}
            schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
            return schema
    raise KeyError(version)


def closed(schema):
    """Unknown fields fail, as `kubectl apply --validate=strict` makes them fail."""
    if isinstance(schema, dict):
        schema = {key: closed(value) for key, value in schema.items()}
        if schema.get("type") == "object" and "properties" in schema:
            schema.setdefault("additionalProperties", False)
    elif isinstance(schema, list):
        schema = [closed(item) for item in schema]
    return schema


CRDS = {}
for source in CRD_FILES:
    crd = yaml.safe_load(source.read_text())
    check_crd(crd, source)
    CRDS[crd["spec"]["names"]["kind"]] = crd
if sorted(CRDS) != ["Alert", "Provider"]:
    fail(f"expected the Alert and Provider CRDs in config/crd/bases, found {sorted(CRDS)}")


def crd_error_list(obj: dict) -> list[tuple[str, str]]:
    """(path, message) of every error the CRD's schema for obj's version finds in obj."""
    api_version = obj.get("apiVersion", "")
    version = api_version.removeprefix(f"{GROUP}/")
    crd = CRDS.get(obj.get("kind"))
    if crd is None or version not in VERSIONS:
        return [("apiVersion", f"no CRD serves {api_version} {obj.get('kind')}")]
    validator = jsonschema.Draft4Validator(closed(object_schema(crd, version)))
    return [(".".join(map(str, error.absolute_path)), error.message) for error in validator.iter_errors(obj)]


def crd_errors(obj: dict) -> list[str]:
    return [f"{path}: {message}" for path, message in crd_error_list(obj)]


def validate_object(obj: dict, where: str) -> None:
    label = f"{where}: {obj.get('kind')} {obj.get('metadata', {}).get('name')}"
    if obj.get("apiVersion", "").startswith(f"{GROUP}/"):
        errors = crd_errors(obj)
        for error in errors:
            fail(f"{label}: {error}")
        if not errors:
            print(f"ok   {label} (Herald's CRD)")
        return
    if obj.get("apiVersion") == "monitoring.coreos.com/v1":
        # Prometheus Operator's CRD is not in the Kubernetes schemas: check the fields Herald sets.
        endpoints = obj.get("spec", {}).get("endpoints", [])
        if not obj["spec"].get("selector", {}).get("matchLabels") or not endpoints or "port" not in endpoints[0]:
            fail(f"{label}: ServiceMonitor needs spec.selector.matchLabels and endpoints[].port")
        return
    for version in (KUBERNETES_VERSION, NEWEST_KUBERNETES_VERSION):
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            fail(f"{label} (Kubernetes {version}): {'.'.join(map(str, error.path))}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError:
            fail(f"{label}: no Kubernetes {version} schema for {obj.get('apiVersion')} {obj.get('kind')}")
    print(f"ok   {label}")


# The Flux guide's manifests as-is, every field of each version, and objects that must be refused.
for sample in sorted(Path("examples/manifests").glob("*.yaml")) + sorted(Path("config/samples").glob("*.yaml")):
    for obj in documents(sample.read_text()):
        validate_object(obj, str(sample))

provider = documents(Path("config/samples/v1beta3.yaml").read_text())[0]
alert = documents(Path("config/samples/v1beta3.yaml").read_text())[1]
guide_alert = next(obj for obj in documents(Path("examples/manifests/slack.yaml").read_text()) if obj["kind"] == "Alert")


def mutated(obj: dict, change) -> dict:
    copy_of = copy.deepcopy(obj)
    change(copy_of)
    return copy_of


MUST_FAIL = {
    "Alert without providerRef": mutated(alert, lambda o: o["spec"].pop("providerRef")),
    "Alert without eventSources": mutated(alert, lambda o: o["spec"].pop("eventSources")),
    "eventSeverity warning": mutated(alert, lambda o: o["spec"].update(eventSeverity="warning")),
    "event source kind Deployment": mutated(alert, lambda o: o["spec"]["eventSources"][0].update(kind="Deployment")),
    "empty event source name": mutated(alert, lambda o: o["spec"]["eventSources"][0].update(name="")),
    "event source name of 254 characters": mutated(alert, lambda o: o["spec"]["eventSources"][0].update(name="a" * 254)),
    "summary of 256 characters": mutated(alert, lambda o: o["spec"].update(summary="s" * 256)),
    "unknown Alert field": mutated(alert, lambda o: o["spec"].update(eventSeveriti="info")),
    "guide Alert with unknown field": mutated(guide_alert, lambda o: o["spec"].update(extra=True)),
    "Provider without type": mutated(provider, lambda o: o["spec"].pop("type")),
    "Provider type mattermost": mutated(provider, lambda o: o["spec"].update(type="mattermost")),
    "timeout in hours": mutated(provider, lambda o: o["spec"].update(timeout="1h")),
    "interval without unit": mutated(provider, lambda o: o["spec"].update(interval="10")),
    "proxy socks5://": mutated(provider, lambda o: o["spec"].update(proxy="socks5://proxy:1080")),
    "address of 2049 characters": mutated(provider, lambda o: o["spec"].update(address="h" * 2049)),
    "secretRef without name": mutated(provider, lambda o: o["spec"].update(secretRef={})),
    "condition status Maybe": mutated(
        documents(Path("config/samples/v1beta2.yaml").read_text())[0],
        lambda o: o["status"]["conditions"][0].update(status="Maybe"),
    ),
}
for label, obj in MUST_FAIL.items():
    if crd_errors(obj):
        print(f"ok   refused: {label}")
    else:
        fail(f"the CRD schema accepts an invalid object: {label}")


# Per served version: each rule of reference §2 (§2.6 lists the differences) applied to the guide's
# Provider and Alert, sent as each version. ACCEPT means the version's schema must take the object;
# a field path means it must refuse it there, for that field (an unrelated error does not count).

guide_provider = next(obj for obj in documents(Path("examples/manifests/github.yaml").read_text()) if obj["kind"] == "Provider")
ACCEPT = None


def as_version(obj: dict, version: str, change=None) -> dict:
    copy_of = mutated(obj, change or (lambda o: None))
    copy_of["apiVersion"] = f"{GROUP}/{version}"
    return copy_of


def refused_for(errors: list[tuple[str, str]], field: str) -> bool:
    """An error on field itself, or on its parent naming field as unknown (closed schema)."""
    parent, _, leaf = field.rpartition(".")
    return any(
        path == field or path.startswith(field + ".") or (path == parent and f"'{leaf}'" in message)
        for path, message in errors
    )


def versions(v1beta1, v1beta2, v1beta3) -> dict:
    return {"v1beta1": v1beta1, "v1beta2": v1beta2, "v1beta3": v1beta3}


def status(**fields) -> dict:
    return {"observedGeneration": 1, **fields}


PER_VERSION: list[tuple[str, dict, object, dict]] = [
    # (rule, base object, change, expected verdict per version)
    ("§2.5 v1beta1 Provider address must match ^(http|https)://; §2.4/§2.3 v1beta2/v1beta3 address has no URL pattern",
     guide_provider, lambda o: o["spec"].update(address="hooks.slack.com/services/T000/B000/XXX"),
     versions("spec.address", ACCEPT, ACCEPT)),
    ("§2.5 v1beta1 Provider address pattern refuses an empty address; v1beta2/v1beta3 take it",
     guide_provider, lambda o: o["spec"].update(address=""),
     versions("spec.address", ACCEPT, ACCEPT)),
    ("§2.5 v1beta1 Provider address pattern takes http://",
     guide_provider, lambda o: o["spec"].update(address="http://gitlab.internal/group/app"),
     versions(ACCEPT, ACCEPT, ACCEPT)),
    ("§2.6 address maxLength 2048 from v1beta2 (none in v1beta1)",
     guide_provider, lambda o: o["spec"].update(address="https://" + "a" * 2041),
     versions(ACCEPT, "spec.address", "spec.address")),
    ("§2.6 channel maxLength 2048 from v1beta2 (none in v1beta1)",
     guide_provider, lambda o: o["spec"].update(channel="c" * 2049),
     versions(ACCEPT, "spec.channel", "spec.channel")),
    ("§2.6 username maxLength 2048 from v1beta2 (none in v1beta1)",
     guide_provider, lambda o: o["spec"].update(username="u" * 2049),
     versions(ACCEPT, "spec.username", "spec.username")),
    ("§2.6 proxy maxLength 2048 from v1beta2 (none in v1beta1)",
     guide_provider, lambda o: o["spec"].update(proxy="http://" + "p" * 2042),
     versions(ACCEPT, "spec.proxy", "spec.proxy")),
    ("§2.5/§2.4/§2.3 proxy pattern ^(http|https):// in every version",
     guide_provider, lambda o: o["spec"].update(proxy="socks5://proxy:1080"),
     versions("spec.proxy", "spec.proxy", "spec.proxy")),
    ("§2.5/§2.4/§2.3 timeout without hours in every version",
     guide_provider, lambda o: o["spec"].update(timeout="1h"),
     versions("spec.timeout", "spec.timeout", "spec.timeout")),
    ("§2.5/§2.4/§2.3 type is required in every version",
     guide_provider, lambda o: o["spec"].pop("type"),
     versions("spec.type", "spec.type", "spec.type")),
    ("§2.5 v1beta1 has no Provider interval; §2.6 v1beta2 gains it",
     guide_provider, lambda o: o["spec"].update(interval="10m"),
     versions("spec.interval", ACCEPT, ACCEPT)),
    ("§2.4/§2.3 interval pattern allows hours, needs a unit",
     guide_provider, lambda o: o["spec"].update(interval="10"),
     versions("spec.interval", "spec.interval", "spec.interval")),
    ("§2.6 proxySecretRef only from v1beta3",
     guide_provider, lambda o: o["spec"].update(proxySecretRef={"name": "proxy"}),
     versions("spec.proxySecretRef", "spec.proxySecretRef", ACCEPT)),
    ("§2.6 serviceAccountName only from v1beta3",
     guide_provider, lambda o: o["spec"].update(serviceAccountName="herald"),
     versions("spec.serviceAccountName", "spec.serviceAccountName", ACCEPT)),
    ("§2.6 commitStatusExpr only from v1beta3",
     guide_provider, lambda o: o["spec"].update(commitStatusExpr="'flux/' + event.involvedObject.name"),
     versions("spec.commitStatusExpr", "spec.commitStatusExpr", ACCEPT)),
    ("§2.6 status.lastHandledReconcileAt from v1beta2 (kept in Herald's v1beta3 status)",
     guide_provider, lambda o: o.update(status=status(lastHandledReconcileAt="2024-05-01T10:00:00Z")),
     versions("status.lastHandledReconcileAt", ACCEPT, ACCEPT)),
    ("§2.5/§2.4 status conditions and observedGeneration in every version",
     guide_provider, lambda o: o.update(status=status(conditions=[])),
     versions(ACCEPT, ACCEPT, ACCEPT)),
]
for provider_type in ("slack", "generic-hmac", "githubdispatch", "grafana"):
    PER_VERSION.append((
        f"§2.5 Provider type {provider_type} in every version", guide_provider,
        lambda o, t=provider_type: o["spec"].update(type=t), versions(ACCEPT, ACCEPT, ACCEPT)))
for provider_type in ("gitea", "bitbucketserver", "googlepubsub", "pagerduty", "datadog"):
    PER_VERSION.append((
        f"§2.6 Provider type {provider_type} from v1beta2", guide_provider,
        lambda o, t=provider_type: o["spec"].update(type=t), versions("spec.type", ACCEPT, ACCEPT)))
for provider_type in ("nats", "zulip", "otel", "giteapullrequestcomment", "githubpullrequestcomment",
                      "gitlabmergerequestcomment", "zoom", "incident.io"):
    PER_VERSION.append((
        f"§2.3/§2.6 Provider type {provider_type} only in v1beta3", guide_provider,
        lambda o, t=provider_type: o["spec"].update(type=t), versions("spec.type", "spec.type", ACCEPT)))
PER_VERSION += [
    ("§2.5 v1beta1 has no Alert inclusionList; §2.6 v1beta2 gains it",
     guide_alert, lambda o: o["spec"].update(inclusionList=[".*"]),
     versions("spec.inclusionList", ACCEPT, ACCEPT)),
    ("§2.5 v1beta1 has no Alert eventMetadata; §2.6 v1beta2 gains it",
     guide_alert, lambda o: o["spec"].update(eventMetadata={"env": "prod"}),
     versions("spec.eventMetadata", ACCEPT, ACCEPT)),
    ("§2.6 summary maxLength 255 from v1beta2 (none in v1beta1)",
     guide_alert, lambda o: o["spec"].update(summary="s" * 256),
     versions(ACCEPT, "spec.summary", "spec.summary")),
    ("§2.5 v1beta1 event source name maxLength 53; §2.4/§2.1 253 in v1beta2 (at v1.8.4) and v1beta3",
     guide_alert, lambda o: o["spec"]["eventSources"][0].update(name="a" * 54),
     versions("spec.eventSources.0.name", ACCEPT, ACCEPT)),
    ("§2.5 v1beta1 event source namespace maxLength 53; §2.4/§2.1 253 later",
     guide_alert, lambda o: o["spec"]["eventSources"][0].update(namespace="n" * 54),
     versions("spec.eventSources.0.namespace", ACCEPT, ACCEPT)),
    ("§2.1 event source name maxLength 253 in every version",
     guide_alert, lambda o: o["spec"]["eventSources"][0].update(name="a" * 254),
     versions("spec.eventSources.0.name", "spec.eventSources.0.name", "spec.eventSources.0.name")),
    ("§2.1 event source name minLength 1 in every version",
     guide_alert, lambda o: o["spec"]["eventSources"][0].update(name=""),
     versions("spec.eventSources.0.name", "spec.eventSources.0.name", "spec.eventSources.0.name")),
    ("§2.5/§2.2 eventSeverity enum info, error in every version",
     guide_alert, lambda o: o["spec"].update(eventSeverity="warning"),
     versions("spec.eventSeverity", "spec.eventSeverity", "spec.eventSeverity")),
    ("§2.5/§2.2 eventSeverity error in every version",
     guide_alert, lambda o: o["spec"].update(eventSeverity="error"),
     versions(ACCEPT, ACCEPT, ACCEPT)),
    ("§2.5/§2.2 providerRef is required in every version",
     guide_alert, lambda o: o["spec"].pop("providerRef"),
     versions("spec.providerRef", "spec.providerRef", "spec.providerRef")),
    ("§2.5/§2.2 eventSources is required in every version",
     guide_alert, lambda o: o["spec"].pop("eventSources"),
     versions("spec.eventSources", "spec.eventSources", "spec.eventSources")),
    ("§2.5/§2.1 event source kind Deployment is refused in every version",
     guide_alert, lambda o: o["spec"]["eventSources"][0].update(kind="Deployment"),
     versions("spec.eventSources.0.kind", "spec.eventSources.0.kind", "spec.eventSources.0.kind")),
    ("§2.6 Alert status.lastHandledReconcileAt from v1beta2 (kept in Herald's v1beta3 status)",
     guide_alert, lambda o: o.update(status=status(lastHandledReconcileAt="2024-05-01T10:00:00Z")),
     versions("status.lastHandledReconcileAt", ACCEPT, ACCEPT)),
]
for kind in ("ArtifactGenerator", "ExternalArtifact"):
    PER_VERSION.append((
        f"§2.5 v1beta1 event source kinds are the first ten; §2.1/§2.4 {kind} from v1beta2 (v1.8.0)", guide_alert,
        lambda o, k=kind: o["spec"]["eventSources"][0].update(kind=k), versions("spec.eventSources.0.kind", ACCEPT, ACCEPT)))
for kind in ("Bucket", "HelmChart", "ImagePolicy", "OCIRepository"):
    PER_VERSION.append((
        f"§2.5/§2.1 event source kind {kind} in every version", guide_alert,
        lambda o, k=kind: o["spec"]["eventSources"][0].update(kind=k), versions(ACCEPT, ACCEPT, ACCEPT)))

# The unchanged guide objects are valid in every version, so each refusal below comes from its rule.
for base in (guide_provider, guide_alert):
    for version in VERSIONS:
        errors = crd_errors(as_version(base, version))
        if errors:
            fail(f"the guide's {base['kind']} sent as {version} is refused: {errors}")
refusals = 0
for rule, base, change, expected in PER_VERSION:
    if sorted(expected) != VERSIONS:
        fail(f"{rule}: give a verdict for each of {VERSIONS}")
    for version, field in expected.items():
        errors = crd_error_list(as_version(base, version, change))
        label = f"{rule} [{base['kind']} {version}]"
        if field is ACCEPT:
            if errors:
                fail(f"{label}: refused, the reference accepts it: {errors}")
            else:
                print(f"ok   accepted: {label}")
        elif refused_for(errors, field):
            refusals += 1
            print(f"ok   refused at {field}: {label}")
        else:
            fail(f"{label}: must be refused at {field}, got {errors or 'no error'}")
print(f"ok   {len(PER_VERSION)} per-version rules, {refusals} refusals")


# 3. Render config/ and the chart, and validate everything they produce.

def run(*command: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"{' '.join(command)} failed: {result.stderr.strip()}")
        return ""
    return result.stdout


chart_render = sys.argv[1] if len(sys.argv) > 1 else "chart-render"
rendered: dict[str, list[dict]] = {}
for overlay in ("config/default", "config/flux"):
    rendered[overlay] = documents(run("kubectl", "kustomize", overlay))
rendered["chart"] = documents(run(chart_render, "-namespace", "herald-system", "charts/herald"))
for values in sorted(Path("hack/chart-values").glob("*.yaml")):
    rendered[f"chart -f {values}"] = documents(run(chart_render, "-namespace", "flux-system", "-f", str(values), "charts/herald"))
for where, objects in rendered.items():
    if not objects:
        fail(f"{where}: rendered nothing")
    for obj in objects:
        validate_object(obj, where)

refused = subprocess.run(
    [chart_render, "-f", "hack/chart-values/invalid/replicas-without-leader-election.yaml", "charts/herald"],
    capture_output=True, text=True,
)
if refused.returncode == 0 or "leaderElect" not in refused.stderr:
    fail("the chart renders two replicas without leader election")
else:
    print("ok   refused: replicaCount 2 without leaderElect")


def find(objects: list[dict], kind: str, name: str | None = None) -> dict:
    for obj in objects:
        if obj["kind"] == kind and (name is None or obj["metadata"]["name"] == name):
            return obj
    fail(f"no {kind} {name or ''} rendered")
    return {}


def herald_args(objects: list[dict]) -> dict[str, list[str]]:
    container = find(objects, "Deployment")["spec"]["template"]["spec"]["containers"][0]
    args: dict[str, list[str]] = {}
    for arg in container["args"][1:]:
        flag, _, value = arg.partition("=")
        args.setdefault(flag, []).append(value)
    return args


# 4. Same flags, same defaults, in the chart and in config/ (the lease namespace is each one's own).
chart_args = herald_args(rendered["chart"])
config_args = herald_args(rendered["config/default"])
chart_args.pop("--lease-namespace", None)
config_args.pop("--lease-namespace", None)
if chart_args != config_args:
    fail(f"chart and config/default run Herald differently:\n  chart:  {chart_args}\n  config: {config_args}")
else:
    print(f"ok   chart and config/default pass the same {len(chart_args)} flags")


def herald_run_flags() -> list[str]:
    """The `herald run` flags, read from their declarations (camelCase → kebab-case, as ArgumentParser does)."""
    flags, pending = [], False
    for line in (Path("Sources/herald/Run.swift").read_text() + Path("Sources/herald/PipelineOptions.swift").read_text()).splitlines():
        stripped = line.strip()
        if stripped.startswith(("@Option(", "@Flag(")):
            pending = True
        elif pending and stripped.startswith("var "):
            name = stripped.split()[1].rstrip(":")
            flags.append("--" + re.sub(r"([a-z0-9])([A-Z])", r"\1-\2", name).lower())
            pending = False
    return flags


# Every flag is in the chart's Deployment template and in config/manager (as an argument or, when off
# by default, in its comment); the two out-of-cluster flags are the only exceptions.
OUT_OF_CLUSTER_ONLY = {"--kubeconfig", "--context"}
run_flags = herald_run_flags()
if len(run_flags) < 20:
    fail(f"read only {len(run_flags)} flags from Sources/herald; the declarations changed shape")
chart_template = Path("charts/herald/templates/deployment.yaml").read_text()
config_manager = Path("config/manager/deployment.yaml").read_text()
for flag in run_flags:
    if flag in OUT_OF_CLUSTER_ONLY:
        continue
    for where, text in (("charts/herald/templates/deployment.yaml", chart_template), ("config/manager/deployment.yaml", config_manager)):
        if not re.search(re.escape(flag) + r"(?![a-z-])", text):
            fail(f"herald run {flag} is missing from {where}")
for where, text in (("charts/herald/templates/deployment.yaml", chart_template), ("config/manager/deployment.yaml", config_manager)):
    for flag in set(re.findall(r"--[a-z][a-z-]+", text)) - set(run_flags):
        fail(f"{where} passes {flag}, which herald run does not have")
print(f"ok   all {len(run_flags) - len(OUT_OF_CLUSTER_ONLY)} in-cluster herald run flags are in the chart and in config/")

# The chart's RBAC is written twice (template and config/rbac): the rules must stay the same.
if find(rendered["chart"], "ClusterRole")["rules"] != find(rendered["config/default"], "ClusterRole")["rules"]:
    fail("the chart's ClusterRole rules differ from config/rbac/cluster_role.yaml")
if find(rendered["chart"], "Role")["rules"] != find(rendered["config/default"], "Role")["rules"]:
    fail("the chart's Lease Role rules differ from config/rbac/lease_role.yaml")

drop_in = rendered["chart -f hack/chart-values/flux-drop-in.yaml"]
if not find(drop_in, "Service", "notification-controller"):
    fail("service.notificationController did not name the Service notification-controller")
if any(obj["kind"] == "CustomResourceDefinition" for obj in drop_in):
    fail("crds.install: false still rendered CRDs")

# One copy of the CRDs: the chart's files are config/'s (symbolic links), and the chart, config/default
# and config/flux render them unchanged.
chart_crd_files = sorted(Path("charts/herald/files/crds").glob("*.yaml"))
if len(chart_crd_files) != len(CRD_FILES):
    fail(f"charts/herald/files/crds has {len(chart_crd_files)} CRDs, config/crd/bases {len(CRD_FILES)}")
for chart_file in chart_crd_files:
    if not any(chart_file.read_bytes() == source.read_bytes() for source in CRD_FILES):
        fail(f"{chart_file} is not a copy of a file in config/crd/bases")
expected_crds = {crd["metadata"]["name"]: crd for crd in (yaml.safe_load(source.read_text()) for source in CRD_FILES)}
for where in ("chart", "config/default", "config/flux"):
    crds = {obj["metadata"]["name"]: obj for obj in rendered[where] if obj["kind"] == "CustomResourceDefinition"}
    if crds != expected_crds:
        fail(f"{where} renders CRDs that differ from config/crd/bases: {sorted(crds)}")
    else:
        print(f"ok   {where} renders config/crd/bases unchanged")
namespaced = rendered["chart -f hack/chart-values/namespaced-ha.yaml"]
if any(obj["kind"].startswith("Cluster") for obj in namespaced):
    fail("watchNamespace set, yet a ClusterRole(Binding) was rendered")

if failures:
    print(f"\n{len(failures)} problem(s)")
    sys.exit(1)
print("\nall manifests valid")
