import HeraldJSON

extension ObjectMeta {
    /// `metadata` as a CEL expression sees it: name, namespace, uid, generation, resourceVersion, labels.
    var jsonValue: JSONValue {
        [
            "name": .string(key.name), "namespace": .string(key.namespace), "uid": .string(uid), "generation": .integer(generation),
            "resourceVersion": .string(resourceVersion), "labels": .sortedObject(labels),
        ]
    }
}

extension Alert {
    /// The Alert as `commitStatusExpr` reads it: the fields Herald keeps of the object it was read from.
    public var jsonValue: JSONValue {
        [
            "apiVersion": .string(apiVersion.apiVersion), "kind": "Alert", "metadata": meta.jsonValue,
            "spec": [
                "providerRef": ["name": .string(providerName)], "eventSeverity": .string(eventSeverity),
                "inclusionList": .array(inclusionList.map { .string($0) }), "exclusionList": .array(exclusionList.map { .string($0) }),
                "eventMetadata": .sortedObject(eventMetadata), "summary": .string(summary), "suspend": .bool(suspend),
            ],
        ]
    }
}

extension Provider {
    /// The Provider as `commitStatusExpr` reads it; Secret values are never part of it.
    public var jsonValue: JSONValue {
        [
            "apiVersion": .string(apiVersion.apiVersion), "kind": "Provider", "metadata": meta.jsonValue,
            "spec": [
                "type": .string(type.rawValue), "channel": .string(channel), "username": .string(username), "address": .string(address),
                "proxy": .string(proxy), "commitStatusExpr": .string(commitStatusExpr), "suspend": .bool(suspend),
            ],
        ]
    }
}
