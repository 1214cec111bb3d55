import HeraldCore
import Testing

@Suite("MetadataCleanup (reference §3.1, §3.5)")
struct MetadataCleanupTests {
    @Test("§3.1 cleanup keeps event.toolkit.fluxcd.io/ and <object group>/ keys, drops every other key")
    func keepsOnlyTheTwoPrefixFamilies() {
        let event = TestValues.kustomization(metadata: [
            "event.toolkit.fluxcd.io/env": "prod",
            "kustomize.toolkit.fluxcd.io/revision": "main@sha1:abc",
            "source.toolkit.fluxcd.io/revision": "foreign group",
            "revision": "un-prefixed",
            "example.com/annotation": "x",
            "kustomize.toolkit.fluxcd.io": "no slash",
        ])
        #expect(
            MetadataCleanup.clean(event).metadata == [
                "event.toolkit.fluxcd.io/env": "prod", "kustomize.toolkit.fluxcd.io/revision": "main@sha1:abc",
            ])
    }

    @Test("§3.1 cleanup drops <group>/checksum and <group>/digest, compared case-insensitively")
    func dropsChecksumAndDigest() {
        let event = TestValues.kustomization(metadata: [
            "kustomize.toolkit.fluxcd.io/checksum": "a",
            "kustomize.toolkit.fluxcd.io/digest": "b",
            "KUSTOMIZE.toolkit.fluxcd.io/Digest": "c",
            "kustomize.toolkit.fluxcd.io/Checksum": "d",
            "kustomize.toolkit.fluxcd.io/token": "kept for rate limiting",
            "event.toolkit.fluxcd.io/digest": "user key, kept",
        ])
        #expect(
            MetadataCleanup.clean(event).metadata == [
                "kustomize.toolkit.fluxcd.io/token": "kept for rate limiting", "event.toolkit.fluxcd.io/digest": "user key, kept",
            ])
    }

    @Test("§3.1 cleanup changes nothing but metadata")
    func onlyMetadataChanges() {
        let event = TestValues.kustomization(metadata: ["x": "y"])
        var expected = event
        expected.metadata = [:]
        #expect(MetadataCleanup.clean(event) == expected)
    }

    @Test("§3.5 excludeInternal removes <group>/token only")
    func excludeInternalToken() {
        let event = TestValues.kustomization(metadata: [
            "kustomize.toolkit.fluxcd.io/token": "t", "kustomize.toolkit.fluxcd.io/revision": "r",
            "event.toolkit.fluxcd.io/token": "user token key",
        ])
        #expect(
            MetadataCleanup.excludeInternal(event).metadata == [
                "kustomize.toolkit.fluxcd.io/revision": "r", "event.toolkit.fluxcd.io/token": "user token key",
            ])
    }
}
