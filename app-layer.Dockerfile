# A user's app on top of the kit's gateway image (stack config `app`, infra/app-layers.ts): the build
# context is the app's own folder on the deploying machine (its project with node_modules, or a
# framework's self-contained server folder such as Next's .next/standalone), copied to TARGET. The
# gateway then loads the module there; nothing of the kit's image changes. Classic-builder syntax.
#
#   docker build -f app-layer.Dockerfile --build-arg BASE_IMAGE=ts-gateway-kit/gateway:0.1.0 \
#     -t ts-gateway-kit/app-gateway:0.1.0 path/to/your/app
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
# The kit image's id: a rebuilt kit image changes this argument, so Pulumi rebuilds the layer.
ARG BASE_IMAGE_ID=""
ARG TARGET=/srv/app
LABEL kit.app-layer.base="${BASE_IMAGE_ID}"
# Root-owned and read-only to the gateway's user (uid 1000), like the kit's own files.
COPY . ${TARGET}
