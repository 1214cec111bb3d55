/// The version `herald --version` prints; release builds replace it from the git tag.
enum HeraldVersion {
    static let current = "0.1.0-dev"
}
