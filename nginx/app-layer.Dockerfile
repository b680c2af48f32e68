# A framework's content-hashed build output on top of the kit's nginx image (stack config `app`,
# infra/app-layers.ts): the build context is that folder on the deploying machine (Next's
# .next/static, SvelteKit's build/client/_app/immutable…), copied to TARGET, where the rendered
# nginx.conf serves it under the framework's prefix. Classic-builder syntax.
#
#   docker build -f nginx/app-layer.Dockerfile --build-arg BASE_IMAGE=ts-gateway-kit/nginx:0.1.0 \
#     --build-arg TARGET=/srv/framework/_next/static -t ts-gateway-kit/app-nginx:0.1.0 .next/static
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
ARG BASE_IMAGE_ID=""
ARG TARGET
LABEL kit.app-layer.base="${BASE_IMAGE_ID}"
# Root-owned, world-readable: nginx's user (uid 101) reads them and cannot change them.
COPY . ${TARGET}
