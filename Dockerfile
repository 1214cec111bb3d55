# syntax=docker/dockerfile:1
#
# Herald in an image that holds one static binary, the CA bundle and a passwd entry: no shell,
# no package manager, no libc. Build: docker build -t herald:0.1.0-dev .
#
# The binary is linked fully static against glibc (-static-executable): that is the build this
# repository verifies without Docker. scripts/assemble-root.sh lays out the same files the
# final stage copies, and scripts/check-runtime-root.sh runs Herald chrooted in them, name resolution
# (/etc/hosts and DNS) included. The Swift Static Linux SDK (musl) is the other way to a static
# binary; see README "Container image" for why it is not the default here.

FROM swift:6.3.1-bookworm AS build
# libyaml-dev: the YAML parser (static libyaml.a is linked in); libre2-dev: Alert patterns (libre2.a);
# ca-certificates: the bundle the final image carries. Versions float with the pinned Debian release of the base image.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libyaml-dev libre2-dev pkg-config ca-certificates file \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN scripts/build-release.sh static-executable \
    && scripts/linkage-report.sh .build-static-executable/release/herald \
    && scripts/assemble-root.sh dist/herald-static-executable /rootfs \
    && /rootfs/herald --version

FROM scratch
COPY --from=build /rootfs/ /
USER 65532:65532
# The Flux-compatible event endpoint, metrics, health probes (herald run's defaults).
EXPOSE 9090 8080 9440
ENTRYPOINT ["/herald"]
CMD ["run"]
