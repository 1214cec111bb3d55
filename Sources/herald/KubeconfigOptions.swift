import ArgumentParser
import HeraldKube

/// How a command finds the cluster, shared by `run`, `send-test` and `explain --event`: the flags
/// kubectl users know, then `KUBECONFIG`, the in-cluster service account and `~/.kube/config`.
struct KubeconfigOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Path to a kubeconfig file.", valueName: "path"))
    var kubeconfig: String?

    @Option(name: .long, help: ArgumentHelp("The kubeconfig context to use instead of its current-context.", valueName: "name"))
    var context: String?

    /// The configuration these flags and the process environment select.
    func load() throws(KubeError) -> KubeConfig {
        try KubeConfigLoader.load(kubeconfig: kubeconfig, context: context, environment: ProcessEnvironment.current)
    }
}
