/// Byte-exact request bodies of the chat, incident and observability providers, as Flux writes them.
///
/// Produced by a Go program that copies the payload structs of fluxcd/notification-controller at
/// `2e46958` (go-pagerduty v1.8.0, datadog-api-client-go v2.60.0, go-github v64.0.0) and encodes the
/// three events of ``CatalogueFixture`` with the same encoder each provider uses. Metadata of more than
/// one key is iterated sorted here; Flux iterates a Go map at random, Herald sorts.
enum CatalogueVectors {
    static let bodies: [String: String] = [
        "gchat info":
            ##"{"cards":[{"header":{"title":"gitrepository/webapp.gitops-system","subtitle":"source-controller","imageUrl":null,"imageStyle":null},"sections":[{"header":"","widgets":[{"textParagraph":{"text":"message"},"keyValue":null}]},{"header":"","widgets":[{"textParagraph":null,"keyValue":{"topLabel":"test","content":"metadata","contentMultiline":false,"bottomLabel":null,"icon":null}}]}]}]}"##,
        "gchat err":
            ##"{"cards":[{"header":{"title":"gitrepository/webapp.gitops-system","subtitle":"source-controller","imageUrl":null,"imageStyle":null},"sections":[{"header":"","widgets":[{"textParagraph":{"text":"\u003cfont color=\"#ff0000\"\u003ea \u003cb\u003e \u0026 c\u003c/font\u003e"},"keyValue":null}]},{"header":"","widgets":[{"textParagraph":null,"keyValue":{"topLabel":"revision","content":"main@sha1:abc","contentMultiline":false,"bottomLabel":null,"icon":null}},{"textParagraph":null,"keyValue":{"topLabel":"test","content":"metadata","contentMultiline":false,"bottomLabel":null,"icon":null}}]}]}]}"##,
        "gchat nomd":
            ##"{"cards":[{"header":{"title":"gitrepository/webapp.gitops-system","subtitle":"source-controller","imageUrl":null,"imageStyle":null},"sections":[{"header":"","widgets":[{"textParagraph":{"text":"message"},"keyValue":null}]}]}]}"##,
        "webex info": ##"{"roomId":"room","markdown":"✅ **gitrepository/webapp.gitops-system**\nmessage\n\u003e**test**: metadata\n"}"##,
        "webex err":
            ##"{"markdown":"💣 **gitrepository/webapp.gitops-system**\na \u003cb\u003e \u0026 c\n\u003e**revision**: main@sha1:abc\n\u003e**test**: metadata\n"}"##,
        "tg info":
            ##"{"chat_id":"channel","text":"*💫 gitrepository/webapp/gitops\\-system*\nmessage\n\\- *test*: metadata\n","parse_mode":"MarkdownV2"}"##,
        "tg err thread":
            ##"{"chat_id":"-100123","message_thread_id":"42","text":"*🚨 gitrepository/webapp/gitops\\-system*\na \u003cb\\\u003e \u0026 c\n\\- *revision*: main@sha1:abc\n\\- *test*: metadata\n","parse_mode":"MarkdownV2"}"##,
        "lark info":
            ##"{"msg_type":"interactive","card":{"config":{"wide_screen_mode":true},"header":{"title":{"tag":"plain_text","content":"💫 gitrepository/webapp.gitops-system"},"template":"turquoise"},"elements":[{"tag":"div","text":{"tag":"lark_md","content":"**message**\n\ntest: metadata\n"}}]}}"##,
        "lark err":
            ##"{"msg_type":"interactive","card":{"config":{"wide_screen_mode":true},"header":{"title":{"tag":"plain_text","content":"🚨 gitrepository/webapp.gitops-system"},"template":"red"},"elements":[{"tag":"div","text":{"tag":"lark_md","content":"**a \u003cb\u003e \u0026 c**\n\nrevision: main@sha1:abc\ntest: metadata\n"}}]}}"##,
        "matrix info tx": ##"ded44fa483f1bfe797835d8d514dbc8dd8b1f9b2"##,
        "matrix info": ##"{"body":"💫 gitrepository/webapp.gitops-system\nmessage\n- test: metadata\n","msgtype":"m.text"}"##,
        "matrix err tx": ##"efee9c9fbbca3c0f5d3087d292fcf782693ddb11"##,
        "matrix err":
            ##"{"body":"🚨 gitrepository/webapp.gitops-system\na \u003cb\u003e \u0026 c\n- revision: main@sha1:abc\n- test: metadata\n","msgtype":"m.text"}"##,
        "ops info uid=test-provider-uid-123":
            ##"{"message":"GitRepository/webapp","alias":"fe0de7c3e730984dc8fa97aa4e3564e679cce5c2fa3103734a603115c16f7156","description":"message","details":{"severity":"info","test":"metadata"}}"##,
        "ops err uid=''":
            ##"{"message":"GitRepository/webapp","alias":"1e0e888c32536b5dba0d4d7332b1382e0f5bfb6dabfa94d3973d486812362453","description":"a \u003cb\u003e \u0026 c","details":{"revision":"main@sha1:abc","severity":"error","test":"metadata"}}"##,
        "ops nomd":
            ##"{"message":"GitRepository/webapp","alias":"63296c44465371596d8abf18faab07e82b334bd5c01ba7715ff6633c21830bb9","description":"message","details":{"severity":"info"}}"##,
        "am info":
            ##"[{"status":"firing","labels":{"alertname":"FluxGitRepositoryReason","kind":"GitRepository","name":"webapp","namespace":"gitops-system","reason":"reason","reportingcontroller":"source-controller","severity":"info","test":"metadata"},"annotations":{"message":"message"},"startsAt":"2026-08-01T10:00:00Z","endsAt":"0001-01-01T00:00:00Z"}]"##,
        "am err":
            ##"[{"status":"firing","labels":{"alertname":"FluxGitRepositoryReconciliationfailed","kind":"GitRepository","name":"webapp","namespace":"gitops-system","reason":"ReconciliationFailed","reportingcontroller":"source-controller","revision":"main@sha1:abc","severity":"error","test":"metadata"},"annotations":{"message":"a \u003cb\u003e \u0026 c"},"startsAt":"2026-08-01T10:00:00Z","endsAt":"0001-01-01T00:00:00Z"}]"##,
        "grafana info":
            ##"{"when":1785578400,"text":"gitrepository/webapp.gitops-system","tags":["flux","source-controller","test: metadata","kind: GitRepository","name: webapp","namespace: gitops-system"]}"##,
        "grafana err":
            ##"{"when":1785578400,"text":"gitrepository/webapp.gitops-system","tags":["flux","source-controller","revision: main@sha1|abc","test: metadata","kind: GitRepository","name: webapp","namespace: gitops-system"]}"##,
        "pd info enqueue":
            ##"{"routing_key":"notARealRoutingKey","event_action":"resolve","dedup_key":"2f5c9d21-b62c-4a35-9b17-1b0f4c8e2d3a"}"##,
        "pd info change":
            ##"{"routing_key":"notARealRoutingKey","payload":{"summary":"reason: gitrepository/webapp","source":"Flux source-controller","timestamp":"2026-08-01T10:00:00Z","custom_details":{"message":"message","metadata":{"test":"metadata"}}}}"##,
        "pd err enqueue":
            ##"{"routing_key":"notARealRoutingKey","event_action":"trigger","dedup_key":"2f5c9d21-b62c-4a35-9b17-1b0f4c8e2d3a","payload":{"summary":"reconciliation failed: gitrepository/webapp","source":"Flux source-controller","severity":"error","timestamp":"2026-08-01T10:00:00Z","component":"webapp","group":"GitRepository","custom_details":{"message":"a \u003cb\u003e \u0026 c","metadata":{"revision":"main@sha1:abc","test":"metadata"}}}}"##,
        "pd nomd enqueue": ##"{"routing_key":"rk","event_action":"resolve","dedup_key":"2f5c9d21-b62c-4a35-9b17-1b0f4c8e2d3a"}"##,
        "pd nomd change":
            ##"{"routing_key":"rk","payload":{"summary":"reconciliation succeeded: gitrepository/webapp","source":"Flux source-controller","timestamp":"2026-08-01T10:00:00Z","custom_details":{"message":"message","metadata":{}}}}"##,
        "dd info":
            ##"{"alert_type":"info","date_happened":1785578400,"source_type_name":"fluxcd","tags":["flux_reporting_controller:source-controller","flux_reason:reason","kube_kind:gitrepository","kube_name:webapp","kube_namespace:gitops-system","test:metadata"],"text":"message","title":"Events from the GitRepository webapp/gitops-system"}"##,
        "dd err":
            ##"{"alert_type":"error","date_happened":1785578400,"source_type_name":"fluxcd","tags":["flux_reporting_controller:source-controller","flux_reason:reconciliationfailed","kube_kind:gitrepository","kube_name:webapp","kube_namespace:gitops-system","revision:main@sha1:abc","test:metadata"],"text":"a \u003cb\u003e \u0026 c","title":"Events from the GitRepository webapp/gitops-system"}"##,
        "zoom info":
            ##"{"content":{"head":{"text":"gitrepository/webapp.gitops-system","sub_head":{"text":"info"}},"body":[{"type":"message","text":"message"},{"type":"fields","items":[{"key":"test","value":"metadata"}]}]}}"##,
        "zoom err":
            ##"{"content":{"head":{"text":"gitrepository/webapp.gitops-system","sub_head":{"text":"error"}},"body":[{"type":"message","text":"a \u003cb\u003e \u0026 c"},{"type":"fields","items":[{"key":"revision","value":"main@sha1:abc"},{"key":"test","value":"metadata"}]}]}}"##,
        "zoom nomd":
            ##"{"content":{"head":{"text":"gitrepository/webapp.gitops-system","sub_head":{"text":"info"}},"body":[{"type":"message","text":"message"}]}}"##,
        "inc info":
            ##"{"title":"gitrepository/webapp.gitops-system: reason","status":"resolved","deduplication_key":"2f5c9d21-b62c-4a35-9b17-1b0f4c8e2d3a","description":"message","metadata":{"reason":"reason","reportingController":"source-controller","severity":"info","test":"metadata"}}"##,
        "inc err":
            ##"{"title":"gitrepository/webapp.gitops-system: ReconciliationFailed","status":"firing","deduplication_key":"2f5c9d21-b62c-4a35-9b17-1b0f4c8e2d3a","description":"a \u003cb\u003e \u0026 c","metadata":{"reason":"ReconciliationFailed","reportingController":"source-controller","revision":"main@sha1:abc","severity":"error","test":"metadata"}}"##,
        "gh info":
            ##"{"event_type":"GitRepository/webapp.gitops-system","client_payload":{"involvedObject":{"kind":"GitRepository","namespace":"gitops-system","name":"webapp","uid":"2f5c9d21-b62c-4a35-9b17-1b0f4c8e2d3a"},"severity":"info","timestamp":"2026-08-01T10:00:00Z","message":"message","reason":"reason","metadata":{"test":"metadata"},"reportingController":"source-controller","reportingInstance":"source-controller-xyz"}}"##,
        "gh err":
            ##"{"event_type":"GitRepository/webapp.gitops-system","client_payload":{"involvedObject":{"kind":"GitRepository","namespace":"gitops-system","name":"webapp","uid":"2f5c9d21-b62c-4a35-9b17-1b0f4c8e2d3a"},"severity":"error","timestamp":"2026-08-01T10:00:00Z","message":"a \u003cb\u003e \u0026 c","reason":"ReconciliationFailed","metadata":{"revision":"main@sha1:abc","test":"metadata"},"reportingController":"source-controller","reportingInstance":"source-controller-xyz"}}"##,
        "zulip info":
            ##"content=%23%23+Flux+Status%0A%0A%E2%84%B9%EF%B8%8F+GitRepository%2Fgitops-system%2Fwebapp%0A%0Amessage%0A%0AMetadata%3A%0A%2A+%60test%60%3A+metadata%0A&to=general&topic=announcements&type=stream"##,
        "zulip err":
            ##"content=%23%23+Flux+Status%0A%0A%E2%9A%A0%EF%B8%8F+GitRepository%2Fgitops-system%2Fwebapp%0A%0Aa+%3Cb%3E+%26+c%0A%0AMetadata%3A%0A%2A+%60revision%60%3A+main%40sha1%3Aabc%0A%2A+%60test%60%3A+metadata%0A&to=general&topic=announcements&type=stream"##,
    ]

    static func body(_ label: String) -> String { bodies[label] ?? "<no vector \(label)>" }
}
