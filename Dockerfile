# A container image of Palisade: `docker build -t palisade .`, then
# `docker run --rm -v "$PWD:/work:ro" palisade scan --no-render .` The image holds the binary
# alone; to render Helm charts and Kustomize overlays, run Palisade where `helm` and `kubectl`
# are installed, or scan their rendered output (`helm template … | docker run -i … scan -`).
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin palisade

# The default image: the binary alone, non-root, no shell, no package manager.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/palisade /usr/local/bin/palisade
USER nonroot
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/palisade"]
CMD ["scan", "--no-render", "."]
