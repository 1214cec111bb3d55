import ArgumentParser

/// The `herald` command: a small Flux notification agent.
struct Herald: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "herald",
        abstract: "A small, fast notification agent for Kubernetes and Flux.",
        discussion: """
            Herald reads Flux events, matches them against Flux Alert and Provider objects and sends
            notifications to chat, webhook and Git providers. `herald run` does it in a cluster; `herald replay`
            runs the whole pipeline on manifest and event files, without a cluster.
            """,
        version: HeraldVersion.current,
        subcommands: [Run.self, Replay.self, ExplainCommand.self, SendTestCommand.self]
    )
}
