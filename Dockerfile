# hostgate's image: the admission webhook and the reconciler (deploy/ runs it
# as two Deployments). Build and push (see "Release" in README.md):
#
#   docker build -t ghcr.io/hostgate/hostgate:0.1.0 .
#   docker push ghcr.io/hostgate/hostgate:0.1.0
#
# The runtime stage holds package.json, dist/ (the release build) and the
# production dependencies, nothing else: `npm run package` assembles the same
# tree in .package/, and test/release-package.test.ts runs hostgate from it.

# --- build: type-check and compile, then install production dependencies alone
FROM node:24-bookworm-slim AS build
WORKDIR /src
# Dependencies first, so that a source change reuses this layer.
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build
# A clean folder with what the runtime stage takes. No production dependency
# has an install script (the lockfile would say hasInstallScript); npm's own
# .bin links and hidden lockfile are not needed to run.
WORKDIR /app
RUN cp /src/package.json /src/package-lock.json ./ \
 && npm ci --omit=dev --ignore-scripts \
 && rm -rf package-lock.json node_modules/.bin node_modules/.package-lock.json \
 && cp -R /src/dist ./dist

# --- runtime: Node 24 and nothing else (no shell, no package manager)
# The :nonroot variant runs as 65532:65532, the UID/GID deploy/ sets.
FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
# package.json stays: it says "type": "module", which makes dist/*.js ES modules.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER 65532:65532
# The webhook's memory settings, the same as deploy/base/deployment.yaml sets
# (test/image-environment.test.ts keeps them equal): the V8 heap sized from
# the container's memory limit, a small young generation, two malloc arenas.
# The reconciler's Deployment sets its own NODE_OPTIONS.
ENV NODE_OPTIONS="--max-old-space-size-percentage=60 --max-semi-space-size=8" \
    MALLOC_ARENA_MAX=2
# Nothing is written to the image's filesystem at run time (deploy/ sets
# readOnlyRootFilesystem): state comes from the API server, the serving
# certificate from a Secret or a mounted volume, logs go to stdout.
# `hostgate` is the entrypoint: Kubernetes `args` (serve --only webhook ...)
# replace CMD only.
ENTRYPOINT ["/nodejs/bin/node", "/app/dist/bin/cli.js"]
CMD ["--help"]
