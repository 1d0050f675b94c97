# syntax=docker/dockerfile:1
#
# Trackside image: `trackside serve` (default) or `trackside simulate`. One binary, with
# the page's scripts, styles and uPlot built in. Used by deploy/compose/ (and so by the
# top-level docker-compose.yml); needs BuildKit (the default since Docker 23).
#
#   docker build --build-arg TRACKSIDE_GIT_COMMIT=$(git rev-parse --short=12 HEAD) -t trackside .
#   docker run --rm -p 8080:8080 -e TRACKSIDE_BROKERS=host:9092 trackside

# --- uPlot, from the npm registry ---------------------------------------------
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY package.json package-lock.json ./
# Only runtime dependencies: uPlot, which the binary embeds (the dev dependencies are
# for the browser tests).
RUN npm ci --omit=dev --no-audit --no-fund

# --- Rust build -------------------------------------------------------------
FROM rust:1-bookworm AS build
# rdkafka builds librdkafka from source (its ./configure script + make) and
# links OpenSSL and zlib from the system; zstd is compiled by zstd-sys. Most of
# this is already in the rust image; listed so the build does not depend on it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake pkg-config libssl-dev zlib1g-dev python3 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Everything the crate may read at compile time (src/, templates/ for askama, static/
# and uPlot for rust-embed, Cargo.lock, ...); .dockerignore keeps target/,
# node_modules/ and .git out, so uPlot comes from the stage above and the commit from
# the build argument (build.rs says "unknown" without either).
COPY . .
COPY --from=web /web/node_modules/uplot/dist/ /src/node_modules/uplot/dist/
ARG TRACKSIDE_GIT_COMMIT=""
# Cache mounts keep the crates.io download and compiled dependencies across
# builds; the binary is copied out because the target dir is not in the layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    TRACKSIDE_GIT_COMMIT="$TRACKSIDE_GIT_COMMIT" cargo build --release --locked --bin trackside \
 && cp target/release/trackside /usr/local/bin/trackside

# --- Runtime ----------------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 trackside \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home trackside
COPY --from=build /usr/local/bin/trackside /usr/local/bin/trackside
# Nothing else: the page is in the binary, and askama compiled the templates into it.
WORKDIR /app
USER 10001:10001
# Inside a container the server must listen on all interfaces (the binary's
# own default is 127.0.0.1:8080).
ENV TRACKSIDE_LISTEN=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["trackside"]
CMD ["serve"]
