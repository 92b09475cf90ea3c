# showfeed in a container: a multi-stage build, a non-root user, the store on a volume.
#
#   docker build -t showfeed .
#   docker run -d --name showfeed -p 8080:8080 \
#     -v showfeed-data:/var/lib/showfeed -e SHOWFEED_ADMIN_TOKEN="$(openssl rand -hex 24)" \
#     -v "$PWD/feeds.toml:/etc/showfeed/feeds.toml:ro" showfeed
#
# The config is read from /etc/showfeed/feeds.toml; `[storage] path` is overridden to the
# volume, and the daemon listens on every interface of the container (port 8080), which
# needs an admin token for /status, /metrics and /admin/* (SHOWFEED_ADMIN_TOKEN).

FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY benches ./benches
RUN cargo build --release --locked --bin showfeed

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home-dir /var/lib/showfeed --shell /usr/sbin/nologin showfeed \
    && install -d -o showfeed -g showfeed /var/lib/showfeed /etc/showfeed
COPY --from=build /src/target/release/showfeed /usr/local/bin/showfeed
COPY feeds.toml /etc/showfeed/feeds.toml
USER showfeed
VOLUME /var/lib/showfeed
EXPOSE 8080
ENV SHOWFEED_CONFIG=/etc/showfeed/feeds.toml SHOWFEED_LISTEN=0.0.0.0:8080
HEALTHCHECK --interval=30s --timeout=5s CMD ["/usr/local/bin/showfeed", "status"]
ENTRYPOINT ["/usr/local/bin/showfeed", "--data", "/var/lib/showfeed"]
CMD ["run"]
