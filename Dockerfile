# One image for the worker and the sandbox (docker-compose.yml picks the command).
# node:20 matches package.json engines; the full Debian image carries the toolchain better-sqlite3 falls back to.
FROM node:20.18.1-bookworm
WORKDIR /app
# Dependencies first so source edits reuse the cached `npm ci` layer.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY sandbox ./sandbox
# The worker keeps its job store here (a volume in docker-compose.yml).
ENV APPLYFLOW_DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
USER node
CMD ["npm", "run", "worker"]
