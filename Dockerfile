# The gateway + app image: tini (PID 1), the gateway master and its workers hosting the app.
# The image runs the compiled JavaScript of `npm run build` (dist/): Node could run the .ts sources
# directly, but its type stripper costs every process ~17 MiB (docs/benchmarks.md, Memory).
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

# 2. The build: the gateway and the app compiled by tsc (emit only, so TypeScript at the lock file's
#    version is all it needs), with the app's fingerprinted static files and manifest beside them.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN mkdir -p /opt/tsc node_modules \
 && TS_VERSION="$(node -p "require('./package-lock.json').packages['node_modules/typescript'].version")" \
 && npm install --prefix /opt/tsc --no-audit --no-fund "typescript@${TS_VERSION}" \
 && ln -s /opt/tsc/node_modules/typescript node_modules/typescript
COPY tsconfig.json tsconfig.build.json ./
COPY gateway ./gateway
COPY app ./app
COPY scripts/build.ts ./scripts/build.ts
RUN node scripts/build.ts

# 3. Runtime: the compiled dist/, production node_modules; nothing else.
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
COPY --from=build /app/dist ./dist
# Files stay root-owned and read-only to the process: it runs as the image's `node` user (uid 1000).
USER 1000:1000
EXPOSE 8000 9000
# No curl in the image: the gateway asks its own admin listener (exit 0 healthy, 5 unhealthy).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "dist/gateway/cli.js", "health"]
# TERM is the gateway's graceful stop (drain in-flight requests); give `docker stop -t` the grace period.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/gateway/cli.js"]
CMD ["dist/app/server.js"]
