# Tasktalk: one small image, running as a non-root user, with the SQLite
# database on the /data volume (or set DATABASE_URL=postgres://…).
#
#   docker build -t tasktalk .
#   docker run -p 8080:8080 -v tasktalk-data:/data -e AUTH_SECRET=$(openssl rand -hex 32) tasktalk

FROM rust:1-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends pkg-config libssl-dev make perl \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so code changes do not rebuild them.
COPY Cargo.toml Cargo.lock build.rs ./
COPY .cargo .cargo
RUN mkdir src && echo 'fn main() {}' > src/main.rs && touch src/lib.rs \
 && cargo build --release --locked || true
COPY . .
RUN touch src/main.rs src/lib.rs && cargo build --release --locked \
 && strip target/release/tasktalk

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libssl3 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin tasktalk \
 && mkdir -p /data && chown tasktalk /data
COPY --from=build /src/target/release/tasktalk /usr/local/bin/tasktalk
USER tasktalk
WORKDIR /data
VOLUME ["/data"]
ENV BIND=0.0.0.0 \
    PORT=8080 \
    DATABASE_URL=sqlite:///data/tasktalk.db \
    APP_ENV=production \
    LOG_FORMAT=json
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/tasktalk"]
