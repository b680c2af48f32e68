# The gateway + app image: tini (PID 1), the gateway master and its workers hosting app/server.ts.
# Node 24 runs the .ts sources directly (type stripping), so there is no compile stage.
# Classic-builder syntax only (no heredocs, no --mount): Debian's docker.io builds it offline.
#
#   docker build -t ts-gateway-kit/gateway:0.1.0 .
#   docker build --build-arg NODE_IMAGE=my-mirror/node:24-bookworm-slim ...   # another base
ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Production dependencies only, from the lock file.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 2. The app's static build: fingerprinted files and the manifest the HTML reads.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY app ./app
RUN node app/build.ts

# 3. Runtime: sources, production node_modules, the built manifest; nothing else.
FROM ${NODE_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="ts-gateway-kit gateway" \
      org.opencontainers.image.description="Pre-fork worker-pool gateway hosting the sample app" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MIT" \
      app.kubernetes.io/part-of="ts-gateway-kit" \
      app.kubernetes.io/component="gateway"
# tini is PID 1: Node cannot waitpid(-1), so as PID 1 it would never reap orphans that the app's
# own child processes leave behind (docker's --init does the same). It forwards TERM/INT/HUP/
# TTIN/TTOU/USR1 to the gateway master, which handles each as gunicorn would.
RUN apt-get update -q && apt-get install -y -q --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    GATEWAY_BIND=0.0.0.0:8000 \
    GATEWAY_ADMIN_BIND=127.0.0.1:9000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY gateway ./gateway
COPY --from=build /app/app ./app
# Files stay root-owned and read-only to the process: it runs as the image's `node` user (uid 1000).
USER 1000:1000
EXPOSE 8000 9000
# No curl in the image: the gateway asks its own admin listener (exit 0 healthy, 5 unhealthy).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "gateway/cli.ts", "health"]
# TERM is the gateway's graceful stop (drain in-flight requests); give `docker stop -t` the grace period.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "node", "gateway/cli.ts"]
CMD ["app/server.ts"]
