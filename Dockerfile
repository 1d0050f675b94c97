# syntax=docker/dockerfile:1
#
# Trackside image: `trackside serve` (default) or `trackside simulate`.
# Used by docker-compose.yml; needs BuildKit (the default since Docker 23).
#
#   docker build -t trackside .
#   docker run --rm -p 8080:8080 -e TRACKSIDE_BROKERS=host:9092 \
#     -e TRACKSIDE_LISTEN=0.0.0.0:8080 trackside

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
# Everything the crate may read at compile time (src/, templates/ for askama,
# Cargo.lock, ...); .dockerignore keeps target/, node_modules/, .cache/ out.
COPY . .
# Cache mounts keep the crates.io download and compiled dependencies across
# builds; the binary is copied out because the target dir is not in the layer.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin trackside \
 && cp target/release/trackside /usr/local/bin/trackside

# --- Browser assets ---------------------------------------------------------
FROM node:20-bookworm-slim AS web
WORKDIR /web
COPY package.json package-lock.json ./
# Only runtime dependencies: uPlot, which the server serves from
# node_modules/uplot/dist (the dev dependencies are for the browser tests).
RUN npm ci --omit=dev --no-audit --no-fund

# --- Runtime ----------------------------------------------------------------
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 trackside \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home trackside
COPY --from=build /usr/local/bin/trackside /usr/local/bin/trackside
# The server resolves static/ and node_modules/uplot/dist relative to its cwd
# (TRACKSIDE_STATIC_DIR, TRACKSIDE_UPLOT_DIR). templates/ is not needed here:
# askama compiles the templates into the binary.
WORKDIR /app
COPY static/ /app/static/
COPY --from=web /web/node_modules/uplot/dist/ /app/node_modules/uplot/dist/
USER 10001:10001
# Inside a container the server must listen on all interfaces (the binary's
# own default is 127.0.0.1:8080).
ENV TRACKSIDE_LISTEN=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["trackside"]
CMD ["serve"]
