# One image for every role: serve, worker, migrate, enqueue (the command picks it).
ARG SWIFT_VERSION=6.3

FROM swift:${SWIFT_VERSION}-bookworm AS build
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends pkg-config libxml2-dev libhiredis-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
# The Swift runtime is linked statically: the runtime image needs only a few system libraries.
RUN swift build -c release --product dropmate --static-swift-stdlib \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/dropmate" /out/dropmate \
    && strip /out/dropmate

FROM debian:bookworm-slim
# The release, as `dropmate --version` prints it (scripts/validate-deploy keeps the two equal).
ARG DROPMATE_VERSION=0.8.0
LABEL org.opencontainers.image.title="DropMate" \
      org.opencontainers.image.version="${DROPMATE_VERSION}"
# Versions follow the pinned base image's security updates, so packages are not pinned one by one.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libxml2 libhiredis0.14 libicu72 libstdc++6 zlib1g liblzma5 ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --user-group --home-dir /app --shell /usr/sbin/nologin dropmate \
    && install -d -o 10001 -g 10001 /app /app/data
COPY --from=build /out/dropmate /usr/local/bin/dropmate
WORKDIR /app
USER 10001:10001
ENV HOST=0.0.0.0 \
    PORT=8080 \
    DROPMATE_DATA_DIR=/app/data \
    LOG_LEVEL=info \
    LOG_FORMAT=json
EXPOSE 8080
# Docker and compose ask the process itself (the slim image has no curl); Kubernetes uses its own probes.
# A worker answers on METRICS_PORT: compose passes --port for it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 CMD ["dropmate", "healthcheck"]
ENTRYPOINT ["dropmate"]
CMD ["serve"]
