import ArgumentParser
import HeraldAgent
import HeraldCore
import HeraldKube

/// `herald send-test`: does this Provider work? One marked test event, sent for real.
struct SendTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Send a test notification through one Provider.",
        discussion: """
            Reads the Provider and its Secrets from --manifests, or from the cluster (kubeconfig, \
            KUBECONFIG, the in-cluster service account or ~/.kube/config), and sends one event marked as a \
            test (reason HeraldSendTest) with the Provider's timeout and retries, bypassing Alerts and the \
            rate limiter. Commit-status types need --metadata revision=<branch>@sha1:<commit>, comment types \
            --metadata change_request=<number>.

            Exit status: 0 delivered; 1 not delivered (the output says why); 2 invalid command line, \
            manifests, or a Provider that cannot be read.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The Provider to test.", valueName: "namespace/name"))
    var provider: String

    @Option(
        name: .long,
        help: ArgumentHelp("Read the Provider and its Secrets from these files instead of the cluster. Repeatable.", valueName: "path"))
    var manifests: [String] = []

    @OptionGroup var cluster: KubeconfigOptions

    @Option(name: .long, help: ArgumentHelp("Metadata of the test event, as key=value. Repeatable.", valueName: "key=value"))
    var metadata: [String] = []

    func validate() throws {
        guard providerKey != nil else { throw ValidationError("--provider must be namespace/name") }
        for entry in metadata where !entry.contains("=") || entry.hasPrefix("=") {
            throw ValidationError("--metadata \"\(entry)\" is not key=value")
        }
    }

    var providerKey: ObjectKey? {
        let parts = provider.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return ObjectKey(namespace: String(parts[0]), name: String(parts[1]))
    }

    var eventMetadata: [String: String] {
        var values: [String: String] = [:]
        for entry in metadata {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return values
    }

    func run() async throws {
        guard let key = providerKey else { throw ExitCode(2) }
        let (found, secrets): (Provider, [ObjectKey: Secret])
        do {
            (found, secrets) = try await read(key)
        } catch {
            FileOutput.standardError.write("herald: \(error)\n")
            throw ExitCode(2)
        }
        let transport = try ProcessEnvironment.providerTransport()
        let result = await SendTest.send(provider: found, secrets: secrets, metadata: eventMetadata, transport: transport)
        await transport.shutdown()
        FileOutput.standardOutput.write("\(found.type) Provider \(key): \(result)\n")
        FileOutput.standardOutput.flush()
        throw ExitCode(result.delivered ? 0 : 1)
    }

    private func read(_ key: ObjectKey) async throws -> (Provider, [ObjectKey: Secret]) {
        if !manifests.isEmpty {
            let set = try ManifestSet.load(paths: manifests)
            guard let found = set.providers.first(where: { $0.key == key }) else {
                throw SendTestError(description: "Provider \(key) is not in --manifests")
            }
            return (found, set.secrets)
        }
        let config = try cluster.load()
        let client = try KubeClient(config: config)
        do {
            let found = try await SendTest.read(key, client: client)
            await client.shutdown()
            return found
        } catch {
            await client.shutdown()
            throw error
        }
    }
}
