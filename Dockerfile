# One image for every FieldSync process: serve, worker, scheduler and migrate (the command picks
# one). Node builds the web app, the wheel carries it as package data, the runtime installs the
# wheel only: no sources, no Node, no build tools in the image that runs.
FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY web/index.html web/vite.config.js ./
COPY web/public ./public
COPY web/src ./src
RUN npx vite build --logLevel warn

FROM python:3.11-slim-bookworm AS wheel
WORKDIR /src
COPY setup.cfg pyproject.toml README.md ./
COPY server ./server
COPY sync ./sync
COPY conflict ./conflict
COPY erp_bridge ./erp_bridge
COPY --from=web /src/web/dist ./server/web_dist
RUN pip wheel --no-cache-dir --no-deps -w /wheels .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN --mount=type=bind,from=wheel,source=/wheels,target=/wheels \
    pip install --no-cache-dir /wheels/*.whl \
    && useradd --system --create-home --home-dir /var/lib/fieldsync fieldsync
USER fieldsync
WORKDIR /var/lib/fieldsync
ENV FIELDSYNC_VAR_DIR=/var/lib/fieldsync
EXPOSE 8000
CMD ["fieldsync", "serve"]
