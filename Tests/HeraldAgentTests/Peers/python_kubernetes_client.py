"""Drives FakeKubeAPIServer with the official Python client (a second real peer next to kubectl).

The client's generated models check required fields on every response and deserialize list items
without kind/apiVersion, as they come from a real apiserver, so a response shaped unlike kube-apiserver's
fails here. Prints one JSON object with what it read; exits non-zero on any error.
Usage: python3 python_kubernetes_client.py KUBECONFIG
"""
import json
import sys

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException


def main(kubeconfig):
    config.load_kube_config(config_file=kubeconfig)
    core = client.CoreV1Api()
    result = {}

    events = core.list_namespaced_event("flux-system", limit=1)
    result["first_page"] = [e.metadata.name for e in events.items]
    result["continue"] = bool(events.metadata._continue)
    item = events.items[0]
    result["involved_kind"] = item.involved_object.kind
    result["event_time"] = item.event_time
    result["managed_by"] = [m.manager for m in item.metadata.managed_fields or []]
    rest = core.list_namespaced_event("flux-system", limit=1, _continue=events.metadata._continue)
    result["second_page"] = [e.metadata.name for e in rest.items]

    micro = core.read_namespaced_event("helm-upgrade", "flux-system")
    result["micro_event_time"] = micro.event_time.isoformat()

    seen = []
    stream = watch.Watch().stream(core.list_namespaced_event, "flux-system", timeout_seconds=1)
    for change in stream:
        seen.append([change["type"], change["object"].metadata.name])
    result["watched"] = seen

    coordination = client.CoordinationV1Api()
    lease = client.V1Lease(metadata=client.V1ObjectMeta(name="herald"), spec=client.V1LeaseSpec(holder_identity="a"))
    created = coordination.create_namespaced_lease("default", lease)
    created.spec.holder_identity = "b"
    coordination.replace_namespaced_lease("herald", "default", created)
    try:
        created.spec.holder_identity = "c"
        coordination.replace_namespaced_lease("herald", "default", created)
        result["stale_update"] = "accepted"
    except ApiException as error:
        result["stale_update"] = error.status
        result["stale_reason"] = json.loads(error.body)["reason"]

    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1])
